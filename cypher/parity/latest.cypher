// Parity: the latest stored result of a decision on a target (null target: any).
// Parameters: $decision_id, $target.
MATCH (p:ParityResult {decision_id: $decision_id, latest: true})
WHERE $target IS NULL OR p.target = $target
RETURN p.id AS id, p.target AS target, p.run AS run, toString(p.at) AS at, p.status AS status,
       p.explanation AS explanation, p.evidence_json AS evidence_json
ORDER BY p.at DESC
LIMIT 1;
