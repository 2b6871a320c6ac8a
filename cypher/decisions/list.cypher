// Decisions with their evidence and blast radius. Parameters: $category (or null for all),
// $state ('active', 'retired' or null for both), $limit.
MATCH (d:Decision)
WHERE ($category IS NULL OR d.category = $category) AND ($state IS NULL OR d.status = $state)
WITH d ORDER BY d.category, d.kind, d.summary LIMIT $limit
RETURN d.id AS id, d.category AS category, d.kind AS kind, d.summary AS summary,
       d.status AS state, coalesce(d.ownership_status, 'unowned') AS ownership,
       d.owner AS owner, coalesce(d.version, 0) AS version,
       toString(d.first_seen) AS first_seen,
       toString(d.retired_at) AS retired_at,
       COLLECT { MATCH (d)-[:EVIDENCE]->(e) RETURN {id: e.id, name: coalesce(e.name, e.principal, e.display_name)}
                 ORDER BY e.id } AS evidence,
       COLLECT { MATCH (d)-[:AFFECTS]->(vm:VirtualMachine) RETURN vm.name ORDER BY vm.name }
         AS affects;
