// placement: each VM-VM affinity / anti-affinity rule. Parameters: $run.
MATCH (r:DrsRule)-[:IN_CLUSTER]->(c:Cluster)
WHERE r.rule_type IN ['vm_affinity', 'vm_anti_affinity']
OPTIONAL MATCH (r)-[:APPLIES_TO]->(vm:VirtualMachine)
WITH r, c, collect(vm) AS vms, collect(vm.name) AS names
WITH r, c, vms, reduce(s = '', n IN names | s + CASE WHEN s = '' THEN '' ELSE ', ' END + n) AS list
MERGE (d:Decision {id: 'drs-rule:' + r.id})
ON CREATE SET d.first_seen = datetime()
SET d.category = 'placement', d.kind = r.rule_type, d.status = 'active', d.retired_at = null,
    d.derive_run = $run, d.last_seen = datetime(),
    d.summary = 'DRS ' + CASE WHEN r.mandatory THEN 'must keep ' ELSE 'keeps ' END + list +
      CASE r.rule_type WHEN 'vm_affinity' THEN ' together on one host' ELSE ' on different hosts' END +
      ' in cluster ' + c.name + CASE WHEN r.enabled THEN '' ELSE ' (rule disabled)' END,
    d.evidence_ids = [r.id, c.id], d.evidence_names = [r.name, c.name]
MERGE (d)-[:EVIDENCE]->(r)
MERGE (d)-[:EVIDENCE]->(c)
WITH d, vms
OPTIONAL MATCH (d)-[old:AFFECTS]->()
DELETE old
WITH DISTINCT d, vms
FOREACH (vm IN vms | MERGE (d)-[:AFFECTS]->(vm))
RETURN count(d) AS decisions;
