// Record the start of a sync run. Parameters: $id, $source_kind, $source_id, $source_name,
// $snapshot_collected_at, $started_at, $host, $process (see app/graph/sync_runs.py).
MERGE (s:SyncRun {id: $id})
SET s.source_kind = $source_kind,
    s.source_id = $source_id,
    s.source_name = $source_name,
    s.collected_at = datetime($snapshot_collected_at),
    s.started_at = datetime($started_at),
    s.status = 'running',
    s.host = $host,
    s.process = $process
RETURN s.id AS id;
