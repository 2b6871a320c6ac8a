// network_authority: each port group / VLAN assignment (uplink port groups excluded).
// Parameters: $run.
MATCH (n:Network)
WHERE n.network_type IN ['standard', 'distributed', 'opaque']
OPTIONAL MATCH (n)-[:ON_SWITCH]->(s:VirtualSwitch)
WITH n, s, COLLECT { MATCH (vm:VirtualMachine)-[:ATTACHED_TO]->(n) RETURN vm } AS vms
MERGE (d:Decision {id: 'portgroup:' + n.id})
ON CREATE SET d.first_seen = datetime()
SET d.category = 'network_authority', d.kind = 'port_group', d.status = 'active',
    d.retired_at = null, d.derive_run = $run, d.last_seen = datetime(),
    d.summary = 'Port group ' + n.name + coalesce(' on switch ' + s.name, '') + ' puts its ' +
      size(vms) + ' VMs on ' + CASE
        WHEN n.pvlan_id IS NOT NULL THEN 'private VLAN ' + n.pvlan_id
        WHEN size(coalesce(n.vlan_trunk, [])) > 0 THEN 'trunked VLANs ' +
          reduce(t = '', r IN n.vlan_trunk | t + CASE WHEN t = '' THEN '' ELSE ', ' END + r)
        WHEN n.vlan_id IS NOT NULL AND n.vlan_id > 0 THEN 'VLAN ' + n.vlan_id
        ELSE 'the untagged network' END,
    d.evidence_ids = [x IN [n.id, s.id] WHERE x IS NOT NULL],
    d.evidence_names = [x IN [n.name, s.name] WHERE x IS NOT NULL]
MERGE (d)-[:EVIDENCE]->(n)
WITH d, vms
OPTIONAL MATCH (d)-[old:AFFECTS]->()
DELETE old
WITH DISTINCT d, vms
FOREACH (vm IN vms | MERGE (d)-[:AFFECTS]->(vm))
RETURN count(d) AS decisions;
