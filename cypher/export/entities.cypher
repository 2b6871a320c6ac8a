// Every vSphere entity for the BloodHound export: its kind, its permission-inheritance parents
// (each becomes a VS_Contains edge parent -> child) and, for the top of an inventory, the vCenter
// it belongs to (a datacenter's own vCenter, or the one of the datacenters under a root folder).
MATCH (e:VSphereEntity)
RETURN e.id AS id, e.name AS name, e.moref AS moref,
       [l IN labels(e) WHERE l <> 'VSphereEntity' AND l <> 'Source'][0] AS kind,
       coalesce(e.permission_holder, true) AS holder,
       [(e)-[r:PERMISSION_PARENT]->(p:VSphereEntity) | [p.id, r.chain]] AS parents,
       head(COLLECT {
         MATCH (e)-[:IN_VCENTER]->(vc:VCenter) RETURN vc.id AS vc
         UNION
         MATCH (e)<-[:CHILD_OF]-(:Datacenter)-[:IN_VCENTER]->(vc:VCenter) RETURN vc.id AS vc
       }) AS vcenter
ORDER BY id;
