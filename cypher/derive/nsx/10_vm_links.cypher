// Link every NSX VM to the vCenter VM it is: NSX's external_id is the VM's instance UUID
// (VirtualMachine.instance_uuid). Re-run after every load, so the order in which NSX and
// vCenter are ingested does not matter. Parameters: none.
MATCH (n:NsxVirtualMachine)
OPTIONAL MATCH (n)-[old:SAME_AS]->()
DELETE old
WITH DISTINCT n
OPTIONAL MATCH (vm:VirtualMachine {instance_uuid: n.external_id})
WITH n, collect(vm) AS vms
FOREACH (vm IN vms | MERGE (n)-[:SAME_AS]->(vm))
RETURN count(CASE WHEN size(vms) > 0 THEN 1 END) AS linked,
       count(CASE WHEN size(vms) = 0 THEN 1 END) AS unmatched;
