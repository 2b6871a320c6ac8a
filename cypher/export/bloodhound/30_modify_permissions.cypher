// name: Who can change vSphere permissions
// description: Principals that can grant themselves anything: Authorization.ModifyPermissions on a vSphere object.
MATCH p = (n)-[:VS_CanModifyPermissions]->(e:VS_Entity)
RETURN p
LIMIT 1000
