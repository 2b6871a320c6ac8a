// The inheritance chains of an entity: each path from it up the PERMISSION_PARENT edges to
// the top of the inventory (one path for most objects, two for a virtual machine).
MATCH (e:VSphereEntity {id: $id})
MATCH path = (e)-[:PERMISSION_PARENT*0..]->(top)
WHERE NOT EXISTS { (top)-[:PERMISSION_PARENT]->() }
RETURN [n IN nodes(path) | {
          id: n.id, name: n.name,
          kind: [l IN labels(n) WHERE l <> 'VSphereEntity' AND l <> 'Source'][0],
          holder: coalesce(n.permission_holder, true)}] AS levels,
       [r IN relationships(path) | r.chain] AS links;
