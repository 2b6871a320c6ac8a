// Every vCenter permission with its entity, role, the directory account it resolved to (with
// its SID) and its change-authority decision's ownership, for the BloodHound export.
MATCH (p:Permission)-[:ON_ENTITY]->(e:VSphereEntity)
OPTIONAL MATCH (p)-[:WITH_ROLE]->(r:Role)
OPTIONAL MATCH (p)-[:GRANTED_TO]->(a:ADPrincipal)
OPTIONAL MATCH (d:Decision {id: 'permission:' + p.id})
OPTIONAL MATCH (d)-[:ASSIGNED_TO]->(t:Team)
RETURN p.id AS id, p.principal AS principal, p.is_group AS is_group,
       p.propagate AS propagate, p.principal_status AS status, p.role_id AS role_id,
       e.id AS entity, r.id AS role, coalesce(r.name, p.role) AS role_name,
       a.id AS grantee, a.sid AS sid,
       d.id AS decision, d.status AS decision_state,
       CASE WHEN d IS NULL THEN null ELSE coalesce(d.ownership_status, 'unowned') END AS ownership,
       t.name AS team
ORDER BY id;
