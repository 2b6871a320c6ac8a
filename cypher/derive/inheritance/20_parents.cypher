// Permission inheritance: (child)-[:PERMISSION_PARENT {chain}]->(parent) for every vSphere
// entity, following the vSphere Security guide's inheritance hierarchy (see
// docs/permissions.md and app/permissions/rules.py):
//   virtual machine  -> its VM folder              chain 'folder'
//   virtual machine  -> its resource pool / vApp   chain 'resource' (the host/cluster/pool chain)
//   host             -> its cluster or standalone compute resource
//   distributed port group -> its distributed switch
//   everything else  -> its inventory parent (CHILD_OF)
MATCH (e:VSphereEntity)
CALL (e) {
  MATCH (e:VirtualMachine)-[:IN_FOLDER]->(p:VSphereEntity)
  RETURN p, 'folder' AS chain
  UNION
  MATCH (e:VirtualMachine)-[:IN_POOL]->(p:VSphereEntity)
  RETURN p, 'resource' AS chain
  UNION
  MATCH (e:Host)-[:IN_CLUSTER]->(p:VSphereEntity)
  RETURN p, 'parent' AS chain
  UNION
  MATCH (e:Network)-[:ON_SWITCH]->(p:VSphereEntity)
  WHERE e.network_type IN ['distributed', 'uplink']
  RETURN p, 'parent' AS chain
  UNION
  MATCH (e)-[:CHILD_OF]->(p:VSphereEntity)
  WHERE NOT e:VirtualMachine AND NOT e:Host
    AND NOT (e:Network AND e.network_type IN ['distributed', 'uplink']
             AND EXISTS { (e)-[:ON_SWITCH]->() })
  RETURN p, 'parent' AS chain
}
MERGE (e)-[r:PERMISSION_PARENT {chain: chain}]->(p)
RETURN count(r) AS edges;
