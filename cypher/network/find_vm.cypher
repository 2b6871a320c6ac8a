// A VM by name, vCenter id, managed object id or instance UUID (vCenter VMs, then VMs only
// NSX knows). Parameters: $ref.
MATCH (vm:VirtualMachine)
WHERE NOT coalesce(vm.template, false)
  AND (vm.name = $ref OR vm.id = $ref OR vm.moref = $ref OR vm.instance_uuid = $ref)
RETURN vm.id AS id, vm.name AS name
UNION
MATCH (n:NsxVirtualMachine)
WHERE NOT (n)-[:SAME_AS]->(:VirtualMachine)
  AND (n.display_name = $ref OR n.id = $ref OR n.external_id = $ref)
RETURN n.id AS id, n.display_name AS name;
