// The most recent sync runs, newest first. Parameters: $limit.
MATCH (s:SyncRun)
RETURN s.id AS id, s.source_kind AS source_kind, s.source_id AS source_id,
       s.source_name AS source_name, s.status AS status,
       toString(s.started_at) AS started_at, toString(s.finished_at) AS finished_at,
       s.counts_json AS counts_json, s.gaps AS gaps, s.removed AS removed,
       s.error AS error
ORDER BY s.started_at DESC
LIMIT $limit;
