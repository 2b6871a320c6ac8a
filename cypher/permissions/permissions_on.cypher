// The permissions set on the entities $ids, with the directory principal each one is granted
// to (null when the principal is not a collected account).
UNWIND $ids AS eid
MATCH (p:Permission)-[:ON_ENTITY]->(:VSphereEntity {id: eid})
OPTIONAL MATCH (p)-[:WITH_ROLE]->(r:Role)
OPTIONAL MATCH (p)-[:GRANTED_TO]->(a:ADPrincipal)
RETURN p.id AS id, p.principal AS principal, p.is_group AS is_group, p.role_id AS role_id,
       coalesce(r.name, p.role) AS role, p.propagate AS propagate, eid AS entity,
       a.id AS grantee, r.id AS role_node, p.principal_status AS status;
