// Record a sync run whose collection broke off, so nothing was loaded: status 'failed' with
// its error, no counts, no snapshot time. Parameters: $id, $source_kind, $source_id,
// $source_name, $started_at, $error.
MERGE (s:SyncRun {id: $id})
SET s.source_kind = $source_kind,
    s.source_id = $source_id,
    s.source_name = $source_name,
    s.started_at = datetime($started_at),
    s.finished_at = datetime($started_at),
    s.status = 'failed',
    s.counts_json = '{}',
    s.missing_json = '{}',
    s.gaps = [],
    s.removed = 0,
    s.error = $error
RETURN s.id AS id, s.status AS status;
