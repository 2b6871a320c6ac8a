// name: vSphere grants whose change-authority decision has no owner
// description: VS_HasPermission edges authmap marks unowned: a finding before the migration.
MATCH p = (n)-[r:VS_HasPermission]->(e:VS_Entity)
WHERE r.ownership = 'unowned'
RETURN p
LIMIT 1000
