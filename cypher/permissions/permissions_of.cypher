// The permissions granted to the directory principals $ids or, unlinked, named $names (lower
// case), with the entity each one is set on.
MATCH (p:Permission)-[:ON_ENTITY]->(e:VSphereEntity)
WHERE EXISTS { MATCH (p)-[:GRANTED_TO]->(a:ADPrincipal) WHERE a.id IN $ids }
   OR (NOT EXISTS { (p)-[:GRANTED_TO]->() } AND toLower(p.principal) IN $names)
OPTIONAL MATCH (p)-[:WITH_ROLE]->(r:Role)
OPTIONAL MATCH (p)-[:GRANTED_TO]->(a:ADPrincipal)
RETURN p.id AS id, p.principal AS principal, p.is_group AS is_group, p.role_id AS role_id,
       coalesce(r.name, p.role) AS role, p.propagate AS propagate, e.id AS entity,
       a.id AS grantee, r.id AS role_node, p.principal_status AS status;
