// id: authority-vacuum
// title: Decisions with no accepted owner on the target
// severity: high
// workstream: authority_reassignment
// description: The source platform makes these decisions on its own; on the target nobody has accepted them, so nobody owns placement, recovery, access, network, storage or capacity choices when the first incident comes.
// remediation: Assign each decision to a team (authmap decisions assign ID --team T) and have that team accept it (authmap decisions accept ID).
// Three statements follow: findings, total (the denominator), graph (for the viewer).
MATCH (d:Decision {status: 'active'})
WHERE NOT coalesce(d.ownership_status, 'unowned') IN ['accepted', 'enforced', 'verified']
RETURN d.id AS decision_id, d.category AS category, d.kind AS kind, d.summary AS summary,
       coalesce(d.ownership_status, 'unowned') AS status, d.owner AS owner,
       COUNT { (d)-[:AFFECTS]->() } AS blast_radius
ORDER BY blast_radius DESC, decision_id;
MATCH (d:Decision {status: 'active'})
RETURN count(d) AS total;
MATCH (d:Decision {status: 'active'})
WHERE NOT coalesce(d.ownership_status, 'unowned') IN ['accepted', 'enforced', 'verified']
OPTIONAL MATCH (d)-[r:EVIDENCE]->(e)
RETURN d, r, e
LIMIT 500;
