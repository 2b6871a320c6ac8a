// Parity: every source VM (not templates) with what VM mapping compares. No parameters.
MATCH (vm:VirtualMachine)
WHERE NOT coalesce(vm.template, false)
RETURN vm.id AS id, vm.name AS name, vm.bios_uuid AS bios_uuid,
       coalesce(vm.mac_addresses, []) AS macs
ORDER BY vm.id;
