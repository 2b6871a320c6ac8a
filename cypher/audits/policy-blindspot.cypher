// id: policy-blindspot
// title: Owned decisions with no recorded or no verified enforcement on the target
// severity: high
// workstream: policy_reimplementation
// description: A team owns these decisions but the target control that re-implements them is not recorded, or nobody has verified that it works: the policy may silently not exist on the target.
// remediation: Record the target control (authmap decisions enforce ID --platform P --reference R, or --process) and verify it (authmap decisions verify ID --method config_check|dr_drill --result pass).
MATCH (d:Decision {status: 'active'})
WHERE d.ownership_status IN ['accepted', 'enforced']
RETURN d.id AS decision_id, d.category AS category, d.kind AS kind, d.summary AS summary,
       d.ownership_status AS status, d.owner AS owner,
       CASE d.ownership_status WHEN 'accepted' THEN 'no enforcement recorded'
            ELSE 'enforcement not verified' END AS gap,
       COUNT { (d)-[:AFFECTS]->() } AS blast_radius
ORDER BY blast_radius DESC, decision_id;
MATCH (d:Decision {status: 'active'})
WHERE d.ownership_status IN ['accepted', 'enforced', 'verified']
RETURN count(d) AS total;
MATCH (d:Decision {status: 'active'})
WHERE d.ownership_status IN ['accepted', 'enforced']
OPTIONAL MATCH (d)-[r:ASSIGNED_TO|ENFORCED_BY]->(x)
RETURN d, r, x
LIMIT 500;
