// Benchmark baseline of parity: the rows parity reads of the source and target VMs, raw.
// No parameters.
MATCH (vm:VirtualMachine)
RETURN vm.id AS id, vm.name AS name, vm.bios_uuid AS serial, null AS labels,
       null AS pod_affinity
UNION ALL
MATCH (vm:K8sVirtualMachine)
RETURN vm.id AS id, vm.name AS name, vm.firmware_serial AS serial,
       vm.template_labels AS labels, vm.pod_affinity AS pod_affinity;
