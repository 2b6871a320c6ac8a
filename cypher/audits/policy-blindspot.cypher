// id: policy-blindspot
// title: Owned decisions with no recorded or no verified enforcement on the target, or whose target read says otherwise
// severity: high
// workstream: policy_reimplementation
// description: A team owns these decisions but the target control that re-implements them is not recorded, nobody has verified that it works, or the latest parity run (authmap parity) read the target and found it drifted or missing, or found a gap (no construct on the target) that no owner runs as a process; a decision a person marked verified is listed when the target read disagrees. verified_by says who verified it (person or target-read), parity, parity_target and parity_at what the latest target read found.
// remediation: Record the target control (authmap decisions enforce ID --platform P --reference R, or --process) and verify it (authmap decisions verify ID --method config_check|dr_drill --result pass, or --method target-read after authmap parity); fix a drifted or missing control on the target and run authmap parity again.
MATCH (d:Decision {status: 'active'})
OPTIONAL CALL (d) {
  MATCH (p:ParityResult {latest: true})-[:PARITY_OF]->(d)
  RETURN p ORDER BY p.at DESC LIMIT 1
}
OPTIONAL MATCH (d)-[:ENFORCED_BY]->(e:Enforcement {current: true})
OPTIONAL CALL (e) {
  MATCH (e)-[:VERIFIED_BY]->(v:Verification)
  RETURN v ORDER BY v.at DESC LIMIT 1
}
WITH d, p, e, v, coalesce(d.ownership_status, 'unowned') AS s
WITH d, p, v, s,
     s IN ['enforced', 'verified'] AND e IS NOT NULL AND e.reference IS NULL AS process
WITH d, p, v, s,
     CASE WHEN s = 'accepted' THEN 'no enforcement recorded'
          WHEN p.status IN ['drifted', 'missing'] AND s IN ['enforced', 'verified'] THEN
            CASE WHEN s = 'verified' THEN 'verified by ' + coalesce(v.method, 'a person') + ' but ' ELSE '' END +
            'the target read finds it ' + p.status + ' (' + p.target + ', ' + toString(p.at) + ')'
          WHEN p.status = 'gap' AND NOT process THEN
            'the target has no construct for it and no owner runs it as a process'
          WHEN s = 'enforced' THEN 'enforcement not verified'
     END AS gap
WHERE gap IS NOT NULL
RETURN d.id AS decision_id, d.category AS category, d.kind AS kind, d.summary AS summary,
       s AS status, d.owner AS owner, gap,
       CASE WHEN s <> 'verified' THEN null WHEN v.method = 'target-read' THEN 'target-read'
            ELSE 'person' END AS verified_by,
       p.status AS parity, p.target AS parity_target, toString(p.at) AS parity_at,
       COUNT { (d)-[:AFFECTS]->() } AS blast_radius
ORDER BY blast_radius DESC, decision_id;
MATCH (d:Decision {status: 'active'})
WHERE d.ownership_status IN ['accepted', 'enforced', 'verified']
   OR EXISTS { (:ParityResult {latest: true, status: 'gap'})-[:PARITY_OF]->(d) }
RETURN count(d) AS total;
MATCH (d:Decision {status: 'active'})
OPTIONAL CALL (d) {
  MATCH (p:ParityResult {latest: true})-[:PARITY_OF]->(d)
  RETURN p ORDER BY p.at DESC LIMIT 1
}
WITH d, p, coalesce(d.ownership_status, 'unowned') AS s
WHERE s IN ['accepted', 'enforced']
   OR (s = 'verified' AND p.status IN ['drifted', 'missing'])
   OR (p.status = 'gap' AND NOT EXISTS {
         MATCH (d)-[:ENFORCED_BY]->(e:Enforcement {current: true}) WHERE e.reference IS NULL })
OPTIONAL MATCH (d)-[r:ASSIGNED_TO|ENFORCED_BY]->(x)
OPTIONAL MATCH (p)-[po:PARITY_OF]->(d)
OPTIONAL MATCH (p)-[t:TARGET_EVIDENCE]->(o)
RETURN d, r, x, p, po, t, o
LIMIT 500;
