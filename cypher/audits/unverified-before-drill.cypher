// id: unverified-before-drill
// title: Failure-recovery and placement decisions that protect workloads but are not verified
// severity: critical
// workstream: authority_reassignment
// description: HA, restart priorities, admission control, affinity and anti-affinity are what keeps workloads alive through a failure. If they are not verified on the target, the DR drill tests luck rather than the platform.
// remediation: Before the drill, record and verify each one on the target (config check, or a DR drill result).
MATCH (d:Decision {status: 'active'})
WHERE d.category IN ['failure_recovery', 'placement']
  AND coalesce(d.ownership_status, 'unowned') <> 'verified'
RETURN d.id AS decision_id, d.category AS category, d.kind AS kind, d.summary AS summary,
       coalesce(d.ownership_status, 'unowned') AS status, d.owner AS owner,
       COUNT { (d)-[:AFFECTS]->() } AS blast_radius
ORDER BY blast_radius DESC, decision_id;
MATCH (d:Decision {status: 'active'})
WHERE d.category IN ['failure_recovery', 'placement']
RETURN count(d) AS total;
MATCH (d:Decision {status: 'active'})
WHERE d.category IN ['failure_recovery', 'placement']
  AND coalesce(d.ownership_status, 'unowned') <> 'verified'
OPTIONAL MATCH (d)-[r:AFFECTS]->(vm)
RETURN d, r, vm
LIMIT 500;
