// NSX groups for the network engine: the expression (JSON) and, when a live collection read
// it, NSX's effective membership as VM ids (the vCenter VM an NSX VM is, else the NSX VM).
// Parameters: none.
MATCH (g:NsxGroup)
RETURN g.path AS path, g.display_name AS name, g.expression AS expression,
       coalesce(g.members_from_nsx, false) AS from_nsx,
       COLLECT { MATCH (g)-[:CONTAINS]->(n:NsxVirtualMachine)
                 OPTIONAL MATCH (n)-[:SAME_AS]->(vm:VirtualMachine)
                 RETURN coalesce(vm.id, n.id) } AS members
ORDER BY path;
