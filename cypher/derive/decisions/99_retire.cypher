// Decisions this derive run did not produce lost their source: mark them retired, never
// delete them (their ownership history stays). Parameters: $run.
MATCH (d:Decision {status: 'active'})
WHERE d.derive_run <> $run
SET d.status = 'retired', d.retired_at = datetime()
RETURN count(d) AS retired;
