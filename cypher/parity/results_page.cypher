// Parity: a page of the latest stored result of each decision on each target, with the
// decision's category and summary, and the total that match. Parameters: $target (a target
// id), $category, $status: each null for any; $skip, $limit. With no match the one row has
// total 0 and a null decision_id.
MATCH (p:ParityResult {latest: true})-[:PARITY_OF]->(d:Decision)
WHERE ($target IS NULL OR p.target = $target)
  AND ($category IS NULL OR d.category = $category)
  AND ($status IS NULL OR p.status = $status)
WITH p, d ORDER BY d.category, d.summary, d.id, p.target
WITH collect({p: p, d: d}) AS rows
WITH size(rows) AS total, rows[$skip..($skip + $limit)] AS page
UNWIND CASE WHEN page = [] THEN [null] ELSE page END AS row
WITH total, row.p AS p, row.d AS d
OPTIONAL MATCH (p)-[:IN_RUN]->(run:ParityRun)
RETURN total, d.id AS decision_id, d.category AS category, d.summary AS summary,
       p.status AS status, p.evidence_json AS evidence_json, p.explanation AS explanation,
       p.vms_mapped AS mapped, p.vms_unmapped AS unmapped, p.target AS target,
       run.target_name AS target_name, p.run AS run, toString(p.at) AS at;
