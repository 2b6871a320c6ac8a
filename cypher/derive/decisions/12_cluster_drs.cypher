// placement: each cluster whose DRS decides placement. Parameters: $run.
MATCH (c:Cluster {drs_enabled: true})
OPTIONAL MATCH (vm:VirtualMachine)-[:RUNS_ON]->(:Host)-[:IN_CLUSTER]->(c)
WITH c, collect(vm) AS vms
MERGE (d:Decision {id: 'cluster-drs:' + c.id})
ON CREATE SET d.first_seen = datetime()
SET d.category = 'placement', d.kind = 'cluster_drs', d.status = 'active', d.retired_at = null,
    d.derive_run = $run, d.last_seen = datetime(),
    d.summary = 'DRS decides where the ' + size(vms) + ' VMs of cluster ' + c.name + ' run (' +
      coalesce(c.drs_automation_level, 'default automation') +
      CASE WHEN c.drs_migration_threshold IS NULL THEN ''
           ELSE ', migration threshold ' + c.drs_migration_threshold END + ')',
    d.evidence_ids = [c.id], d.evidence_names = [c.name]
MERGE (d)-[:EVIDENCE]->(c)
WITH d, vms
OPTIONAL MATCH (d)-[old:AFFECTS]->()
DELETE old
WITH DISTINCT d, vms
FOREACH (vm IN vms | MERGE (d)-[:AFFECTS]->(vm))
RETURN count(d) AS decisions;
