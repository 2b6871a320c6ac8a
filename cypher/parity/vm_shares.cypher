// Parity: every source VM's CPU shares (level and value), for comparing relative order with
// a target's CPU weights. No parameters.
MATCH (vm:VirtualMachine)
WHERE NOT coalesce(vm.template, false)
RETURN vm.id AS id, vm.name AS name, vm.cpu_shares_level AS level, vm.cpu_shares AS shares
ORDER BY vm.id;
