// id: permission-power
// title: Who can change permissions and roles, and over-broad grants
// severity: critical
// workstream: authority_reassignment
// description: Grants whose role can change permissions or roles (Authorization.ModifyPermissions or ModifyRoles), and roles with that power propagating from the root folder or a datacenter: whoever holds them decides who may do anything. On the target this power must have a named, accepted owner.
// remediation: Reduce the grant to the smallest scope and role that works, and give the power to change access on the target to a named team (assign and accept the decision).
MATCH (d:Decision {status: 'active', kind: 'permission'})-[:EVIDENCE]->(p:Permission)
MATCH (p)-[:WITH_ROLE]->(role:Role)-[:INCLUDES]->(priv:Privilege)
WHERE priv.privilege_id IN ['Authorization.ModifyPermissions', 'Authorization.ModifyRoles']
  AND NOT coalesce(d.ownership_status, 'unowned') IN ['accepted', 'enforced', 'verified']
MATCH (p)-[:ON_ENTITY]->(e)
WITH DISTINCT d, p, role, e
RETURN d.id AS decision_id, d.category AS category, d.kind AS kind, d.summary AS summary,
       p.principal AS principal, role.name AS role, e.name AS entity,
       p.propagate AND (e:Datacenter OR (e:Folder AND NOT (e)-[:CHILD_OF]->())) AS over_broad,
       coalesce(d.ownership_status, 'unowned') AS status
ORDER BY over_broad DESC, principal, decision_id;
MATCH (d:Decision {status: 'active', kind: 'permission'})
RETURN count(d) AS total;
MATCH (d:Decision {status: 'active', kind: 'permission'})-[r:EVIDENCE]->(p:Permission)
MATCH (p)-[w:WITH_ROLE]->(role:Role)-[:INCLUDES]->(priv:Privilege)
WHERE priv.privilege_id IN ['Authorization.ModifyPermissions', 'Authorization.ModifyRoles']
  AND NOT coalesce(d.ownership_status, 'unowned') IN ['accepted', 'enforced', 'verified']
RETURN DISTINCT d, r, p, w, role
LIMIT 500;
