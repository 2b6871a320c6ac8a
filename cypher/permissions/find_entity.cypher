// vSphere entities a reference given by a person may mean, exactly: a node id, a managed
// object id (vm-42) or a name (indexed lookups; see find_entity_folded for any case).
CALL () {
  MATCH (e:VSphereEntity {id: $ref}) RETURN e
  UNION
  MATCH (e:VSphereEntity {moref: $ref}) RETURN e
  UNION
  MATCH (e:VSphereEntity {name: $ref}) RETURN e
}
OPTIONAL MATCH (e)-[:PERMISSION_PARENT]->(p)
RETURN e.id AS id, e.name AS name,
       [l IN labels(e) WHERE l <> 'VSphereEntity' AND l <> 'Source'][0] AS kind,
       e.moref AS moref, collect(p.name) AS parents,
       CASE WHEN e.id = $ref OR e.moref = $ref THEN 0 ELSE 1 END AS exact
ORDER BY exact, id
LIMIT 50;
