// Parity: the VM or resource pool behind each capacity decision and its allocation settings.
// Parameters: $ids (decision ids).
MATCH (d:Decision)-[:EVIDENCE]->(x)
WHERE d.id IN $ids AND (x:VirtualMachine OR x:ResourcePool)
RETURN d.id AS id, x.id AS object_id, x.name AS name,
       x.cpu_reservation AS cpu_reservation, x.cpu_limit AS cpu_limit,
       x.cpu_shares_level AS cpu_shares_level, x.mem_reservation AS mem_reservation,
       x.mem_limit AS mem_limit, x.mem_shares_level AS mem_shares_level,
       x.cpu_expandable AS cpu_expandable, x.mem_expandable AS mem_expandable;
