// Every vCenter role with its privilege ids, for the BloodHound export.
MATCH (r:Role)
RETURN r.id AS id, r.name AS name, r.role_id AS role_id,
       [(r)-[:INCLUDES]->(p:Privilege) | p.privilege_id] AS privileges
ORDER BY id;
