// Parity: a Proxmox target's guests (not templates) with what VM mapping and the rules compare:
// identity, NICs and disks (JSON text), CPU and memory settings, node, pool and HA resource.
// Parameters: $source.
MATCH (g:PveGuest {source_id: $source})
WHERE NOT coalesce(g.template, false)
OPTIONAL MATCH (g)-[:ON_NODE]->(n:PveNode)
OPTIONAL MATCH (g)-[:IN_POOL]->(p:PvePool)
OPTIONAL MATCH (h:PveHaResource)-[:PROTECTS]->(g)
OPTIONAL MATCH (h)-[:IN_HA_GROUP]->(hg:PveHaGroup)
RETURN g.id AS id, g.vmid AS vmid, g.name AS name, g.guest_type AS guest_type,
       g.smbios_uuid AS smbios_uuid, coalesce(g.macs, []) AS macs, g.nics AS nics,
       g.disks AS disks, g.cpulimit AS cpulimit, g.cpuunits AS cpuunits,
       g.memory_mib AS memory_mib, g.balloon_mib AS balloon_mib, g.cores AS cores,
       g.sockets AS sockets, n.name AS node, p.name AS pool,
       h.id AS ha_id, h.sid AS ha_sid, h.state AS ha_state, h.max_restart AS ha_max_restart,
       h.max_relocate AS ha_max_relocate, hg.name AS ha_group
ORDER BY g.vmid;
