// A page of decisions with their evidence and blast radius, and the total that match the
// filters. Parameters: $category; $state ('active' or 'retired'); $status (ownership status,
// or 'retired'); $team; $text (case-insensitive, in the id or summary): each null for any;
// $skip, $limit. With no match the one row has total 0 and a null id.
MATCH (d:Decision)
WITH d, CASE WHEN d.status = 'retired' THEN 'retired'
             ELSE coalesce(d.ownership_status, 'unowned') END AS status
WHERE ($category IS NULL OR d.category = $category)
  AND ($state IS NULL OR d.status = $state)
  AND ($status IS NULL OR status = $status)
  AND ($team IS NULL OR EXISTS { (d)-[:ASSIGNED_TO]->(:Team {name: $team}) })
  AND ($text IS NULL OR toLower(d.summary) CONTAINS toLower($text)
       OR toLower(d.id) CONTAINS toLower($text))
WITH d, status ORDER BY d.category, d.kind, d.summary, d.id
WITH collect({d: d, status: status}) AS rows
WITH size(rows) AS total, rows[$skip..($skip + $limit)] AS page
UNWIND CASE WHEN page = [] THEN [null] ELSE page END AS row
WITH total, row.d AS d, row.status AS status
RETURN total, d.id AS id, d.category AS category, d.kind AS kind, d.summary AS summary,
       d.status AS state, status, d.owner AS team, coalesce(d.version, 0) AS version,
       toString(d.first_seen) AS first_seen, toString(d.retired_at) AS retired_at,
       CASE WHEN d IS NULL THEN [] ELSE
         COLLECT { MATCH (d)-[:EVIDENCE]->(e)
                   RETURN {id: e.id, name: coalesce(e.name, e.principal, e.display_name)}
                   ORDER BY e.id } END AS evidence,
       CASE WHEN d IS NULL THEN [] ELSE
         COLLECT { MATCH (d)-[:AFFECTS]->(vm:VirtualMachine) RETURN vm.name ORDER BY vm.name }
       END AS affects;
