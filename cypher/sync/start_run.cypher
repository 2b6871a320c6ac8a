// Record the start of a sync run. Parameters: $id, $source_kind, $source_id, $source_name,
// $snapshot_collected_at, $started_at.
MERGE (s:SyncRun {id: $id})
SET s.source_kind = $source_kind,
    s.source_id = $source_id,
    s.source_name = $source_name,
    s.collected_at = datetime($snapshot_collected_at),
    s.started_at = datetime($started_at),
    s.status = 'running'
RETURN s.id AS id;
