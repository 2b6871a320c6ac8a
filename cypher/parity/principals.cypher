// Parity: every source principal holding a grant other than NoAccess (for target-only
// authority: a target subject none of these maps to has no source counterpart). No parameters.
MATCH (p:Permission)-[:WITH_ROLE]->(role:Role)
WHERE role.role_id <> -5
RETURN DISTINCT p.principal AS principal, p.is_group AS is_group
ORDER BY principal;
