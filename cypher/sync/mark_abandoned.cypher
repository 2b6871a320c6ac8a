// Record a sync run whose process is gone (killed or crashed) as failed, unless it finished
// meanwhile. Parameters: $id, $finished_at, $error.
MATCH (s:SyncRun {id: $id, status: 'running'})
SET s.status = 'failed',
    s.finished_at = datetime($finished_at),
    s.error = $error
RETURN s.id AS id;
