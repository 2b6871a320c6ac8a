// Parity: the active decisions of the kinds parity judges, with their blast radius (the
// source VMs they affect). Parameters: $categories (null: all), $kinds.
MATCH (d:Decision {status: 'active'})
WHERE d.kind IN $kinds AND ($categories IS NULL OR d.category IN $categories)
RETURN d.id AS id, d.category AS category, d.kind AS kind, d.summary AS summary,
       COLLECT { MATCH (d)-[:AFFECTS]->(vm:VirtualMachine) RETURN vm.id ORDER BY vm.id } AS vms
ORDER BY d.category, d.id;
