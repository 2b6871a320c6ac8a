// Parity: a target's KubeVirt VMs with what mapping and the rules compare (nested fields are
// JSON text). Parameters: $source.
MATCH (vm:K8sVirtualMachine {source_id: $source})
RETURN vm.id AS id, vm.namespace AS namespace, vm.name AS name,
       vm.template_labels AS labels, vm.firmware_serial AS firmware_serial,
       vm.firmware_uuid AS firmware_uuid, coalesce(vm.mac_addresses, []) AS macs,
       coalesce(vm.multus_networks, []) AS networks, vm.run_strategy AS run_strategy,
       vm.priority_class_name AS priority_class,
       vm.cpu_request_millicores AS cpu_request_m, vm.memory_request_bytes AS memory_request_b,
       vm.cpu_limit_millicores AS cpu_limit_m, vm.memory_limit_bytes AS memory_limit_b,
       vm.pod_affinity AS pod_affinity, vm.node_affinity AS node_affinity,
       vm.node_selector AS node_selector,
       COLLECT { MATCH (vm)-[:USES_STORAGE_CLASS]->(sc) RETURN sc.name } AS storage_classes
ORDER BY vm.namespace, vm.name;
