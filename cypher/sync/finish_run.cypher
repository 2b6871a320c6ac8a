// Record how a sync run ended. Parameters: $id, $status ('complete', 'partial' or 'failed'),
// $finished_at, $counts_json, $missing_json, $gaps (list of strings), $removed, $error.
MATCH (s:SyncRun {id: $id})
SET s.status = $status,
    s.finished_at = datetime($finished_at),
    s.counts_json = $counts_json,
    s.missing_json = $missing_json,
    s.gaps = $gaps,
    s.removed = $removed,
    s.error = $error
RETURN s.id AS id, s.status AS status;
