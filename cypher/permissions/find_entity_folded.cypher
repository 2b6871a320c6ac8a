// vSphere entities whose name equals $ref ignoring case (a scan: used only when no exact
// id, moref or name matched).
MATCH (e:VSphereEntity)
WHERE toLower(e.name) = toLower($ref)
OPTIONAL MATCH (e)-[:PERMISSION_PARENT]->(p)
RETURN e.id AS id, e.name AS name,
       [l IN labels(e) WHERE l <> 'VSphereEntity' AND l <> 'Source'][0] AS kind,
       e.moref AS moref, collect(p.name) AS parents, 1 AS exact
ORDER BY id
LIMIT 50;
