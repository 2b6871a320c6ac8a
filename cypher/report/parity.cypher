// Parity per active decision: its ownership status, who verified it (person or target-read,
// from the newest verification of its current enforcement), and the latest stored parity
// result of any target (status, target name, time; null when no parity run judged it).
// Decisions a person verified whose target read disagrees come first, then drifted, missing,
// gap, unmapped, enforced, and those never read. No parameters.
MATCH (d:Decision {status: 'active'})
OPTIONAL CALL (d) {
  MATCH (p:ParityResult {latest: true})-[:PARITY_OF]->(d)
  OPTIONAL MATCH (p)-[:IN_RUN]->(r:ParityRun)
  RETURN p, r ORDER BY p.at DESC LIMIT 1
}
OPTIONAL CALL (d) {
  MATCH (d)-[:ENFORCED_BY]->(:Enforcement {current: true})-[:VERIFIED_BY]->(v:Verification)
  RETURN v ORDER BY v.at DESC LIMIT 1
}
WITH d, p, r, coalesce(d.ownership_status, 'unowned') AS s,
     CASE WHEN coalesce(d.ownership_status, 'unowned') <> 'verified' THEN null
          WHEN v.method = 'target-read' THEN 'target-read' ELSE 'person' END AS verified_by
WITH d, p, r, s, verified_by,
     CASE WHEN s = 'verified' AND p.status IN ['drifted', 'missing'] THEN 0
          WHEN p.status = 'drifted' THEN 1 WHEN p.status = 'missing' THEN 2
          WHEN p.status = 'gap' THEN 3 WHEN p.status = 'unmapped' THEN 4
          WHEN p.status = 'enforced' THEN 5 ELSE 6 END AS rank
RETURN d.id AS decision_id, d.category AS category, d.kind AS kind, d.summary AS summary,
       s AS status, d.owner AS owner, verified_by, p.status AS parity,
       coalesce(r.target_name, p.target) AS target, toString(p.at) AS parity_at
ORDER BY rank, d.category, d.id;
