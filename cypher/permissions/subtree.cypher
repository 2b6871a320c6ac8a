// Every entity at or below the entities $ids along the inheritance edges, with its own
// inheritance parents: enough to walk each one's chains up to the permissions that matter.
// One row of parallel lists: an administrator's report covers every entity of the estate.
UNWIND $ids AS eid
MATCH (:VSphereEntity {id: eid})<-[:PERMISSION_PARENT*0..]-(n:VSphereEntity)
WITH DISTINCT n
RETURN collect(n.id) AS ids, collect(n.name) AS names,
       collect([l IN labels(n) WHERE l <> 'VSphereEntity' AND l <> 'Source'][0]) AS kinds,
       collect(coalesce(n.permission_holder, true)) AS holders,
       collect([(n)-[r:PERMISSION_PARENT]->(p:VSphereEntity) | [p.id, r.chain]]) AS parents;
