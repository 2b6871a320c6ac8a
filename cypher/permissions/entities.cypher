// Name, kind and holder flag of the entities $ids.
UNWIND $ids AS eid
MATCH (n:VSphereEntity {id: eid})
RETURN n.id AS id, n.name AS name,
       [l IN labels(n) WHERE l <> 'VSphereEntity' AND l <> 'Source'][0] AS kind,
       coalesce(n.permission_holder, true) AS holder;
