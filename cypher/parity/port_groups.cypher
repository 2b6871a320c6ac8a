// Parity: the port group behind each network decision (VLAN settings; whether VMs use it).
// Parameters: $ids (decision ids).
MATCH (d:Decision)-[:EVIDENCE]->(n:Network)
WHERE d.id IN $ids
RETURN d.id AS id, n.name AS name, n.vlan_id AS vlan_id, coalesce(n.vlan_trunk, []) AS vlan_trunk,
       n.pvlan_id AS pvlan_id, EXISTS { (:VirtualMachine)-[:ATTACHED_TO]->(n) } AS had_vms;
