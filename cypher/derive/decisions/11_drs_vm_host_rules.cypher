// placement: each VM-host rule (must/should, affine/anti-affine). Parameters: $run.
MATCH (r:DrsRule {rule_type: 'vm_host'})-[:IN_CLUSTER]->(c:Cluster)
OPTIONAL MATCH (r)-[:USES_VM_GROUP]->(vg:ClusterGroup)
OPTIONAL MATCH (vg)-[:CONTAINS]->(vm:VirtualMachine)
OPTIONAL MATCH (r)-[:AFFINE_TO|ANTI_AFFINE_TO]->(hg:ClusterGroup)
WITH r, c, vg, hg, collect(DISTINCT vm) AS vms
MERGE (d:Decision {id: 'drs-rule:' + r.id})
ON CREATE SET d.first_seen = datetime()
SET d.category = 'placement', d.kind = 'vm_host', d.status = 'active', d.retired_at = null,
    d.derive_run = $run, d.last_seen = datetime(),
    d.summary = 'DRS ' + CASE WHEN r.mandatory THEN 'must ' ELSE 'should ' END +
      CASE WHEN r.anti_affine_host_group IS NOT NULL OR EXISTS { (r)-[:ANTI_AFFINE_TO]->() }
           THEN 'not run' ELSE 'run' END +
      ' the VMs of group ' + coalesce(vg.name, '?') + ' on the hosts of group ' +
      coalesce(hg.name, '?') + ' in cluster ' + c.name +
      CASE WHEN r.enabled THEN '' ELSE ' (rule disabled)' END,
    d.evidence_ids = [x IN [r.id, c.id, vg.id, hg.id] WHERE x IS NOT NULL],
    d.evidence_names = [x IN [r.name, c.name, vg.name, hg.name] WHERE x IS NOT NULL]
MERGE (d)-[:EVIDENCE]->(r)
MERGE (d)-[:EVIDENCE]->(c)
FOREACH (g IN [x IN [vg, hg] WHERE x IS NOT NULL] | MERGE (d)-[:EVIDENCE]->(g))
WITH d, vms
OPTIONAL MATCH (d)-[old:AFFECTS]->()
DELETE old
WITH DISTINCT d, vms
FOREACH (vm IN vms | MERGE (d)-[:AFFECTS]->(vm))
RETURN count(d) AS decisions;
