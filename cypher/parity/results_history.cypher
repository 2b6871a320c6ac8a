// Parity: every stored result of one decision, newest first, and how many there are.
// Parameters: $decision_id, $skip, $limit. With none the one row has total 0 and a null run.
MATCH (p:ParityResult {decision_id: $decision_id})
WITH p ORDER BY p.at DESC, p.target
WITH collect(p) AS rows
WITH size(rows) AS total, rows[$skip..($skip + $limit)] AS page
UNWIND CASE WHEN page = [] THEN [null] ELSE page END AS p
OPTIONAL MATCH (p)-[:PARITY_OF]->(d:Decision)
OPTIONAL MATCH (p)-[:IN_RUN]->(run:ParityRun)
RETURN total, d.id AS decision_id, d.category AS category, d.summary AS summary,
       p.status AS status, p.evidence_json AS evidence_json, p.explanation AS explanation,
       p.vms_mapped AS mapped, p.vms_unmapped AS unmapped, p.target AS target,
       run.target_name AS target_name, p.run AS run, toString(p.at) AS at,
       coalesce(p.latest, false) AS latest;
