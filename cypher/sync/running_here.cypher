// The sync runs still marked running that were started on this host, with the process that
// started them. Parameters: $host.
MATCH (s:SyncRun {status: 'running'})
WHERE s.host = $host
RETURN s.id AS id, s.process AS process;
