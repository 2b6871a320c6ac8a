// The privilege ids of the roles $ids.
UNWIND $ids AS rid
MATCH (r:Role {id: rid})
RETURN r.id AS id, [(r)-[:INCLUDES]->(v:Privilege) | v.privilege_id] AS privileges;
