// change_authority: per vCenter, who holds the power to change permissions and roles (every
// permission whose role includes Authorization.ModifyPermissions or Authorization.ModifyRoles).
// Parameters: $run.
MATCH (v:VCenter)
MATCH (p:Permission)-[:WITH_ROLE]->(role:Role)-[:INCLUDES]->(priv:Privilege)
WHERE p.source_id = v.id
  AND priv.privilege_id IN ['Authorization.ModifyPermissions', 'Authorization.ModifyRoles']
WITH v, collect(DISTINCT p) AS grants
WHERE size(grants) > 0
WITH v, grants, COLLECT { MATCH (vm:VirtualMachine {source_id: v.id}) RETURN vm } AS vms
MERGE (d:Decision {id: 'permission-power:' + v.id})
ON CREATE SET d.first_seen = datetime()
SET d.category = 'change_authority', d.kind = 'permission_power', d.status = 'active',
    d.retired_at = null, d.derive_run = $run, d.last_seen = datetime(),
    d.summary = size(grants) + ' grant(s) on vCenter ' + v.name +
      ' can change permissions and roles: ' +
      reduce(s = '', g IN grants | s + CASE WHEN s = '' THEN '' ELSE ', ' END + g.principal),
    d.evidence_ids = [g IN grants | g.id], d.evidence_names = [g IN grants | g.principal]
WITH d, grants, vms
OPTIONAL MATCH (d)-[old:EVIDENCE|AFFECTS]->()
DELETE old
WITH DISTINCT d, grants, vms
FOREACH (g IN grants | MERGE (d)-[:EVIDENCE]->(g))
FOREACH (vm IN vms | MERGE (d)-[:AFFECTS]->(vm))
RETURN count(d) AS decisions;
