// Parity: the permission behind each change-authority decision and its role's privileges.
// Parameters: $ids (decision ids).
MATCH (d:Decision)-[:EVIDENCE]->(p:Permission)-[:WITH_ROLE]->(role:Role)
WHERE d.id IN $ids
RETURN d.id AS id, p.principal AS principal, p.is_group AS is_group, role.name AS role,
       role.role_id AS role_id,
       COLLECT { MATCH (role)-[:INCLUDES]->(x:Privilege) RETURN x.privilege_id } AS privileges;
