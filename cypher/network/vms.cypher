// The VMs the network engine reasons about: every vCenter VM (templates excluded), with the
// NSX tags of the NSX VM it is (live collections read the NSX inventory; null: not known),
// then the VMs only NSX knows. Parameters: none.
MATCH (vm:VirtualMachine)
WHERE NOT coalesce(vm.template, false)
WITH vm, COLLECT { MATCH (n:NsxVirtualMachine)-[:SAME_AS]->(vm) RETURN n } AS nsx
RETURN vm.id AS id, vm.name AS name, vm.instance_uuid AS instance_uuid,
       vm.guest_os AS guest_os,
       CASE WHEN size(nsx) = 0 THEN null
            ELSE reduce(t = [], n IN nsx | t + coalesce(n.tags, [])) END AS tags
UNION ALL
MATCH (n:NsxVirtualMachine)
WHERE NOT (n)-[:SAME_AS]->(:VirtualMachine)
RETURN n.id AS id, n.display_name AS name, n.external_id AS instance_uuid,
       null AS guest_os, coalesce(n.tags, []) AS tags;
