// failure_recovery: each cluster's HA policy (admission control, isolation response,
// monitoring, default restart priority). Parameters: $run.
MATCH (c:Cluster {ha_enabled: true})
OPTIONAL MATCH (vm:VirtualMachine)-[:RUNS_ON]->(:Host)-[:IN_CLUSTER]->(c)
WITH c, collect(vm) AS vms
MERGE (d:Decision {id: 'cluster-ha:' + c.id})
ON CREATE SET d.first_seen = datetime()
SET d.category = 'failure_recovery', d.kind = 'cluster_ha', d.status = 'active',
    d.retired_at = null, d.derive_run = $run, d.last_seen = datetime(),
    d.summary = 'HA restarts the ' + size(vms) + ' VMs of cluster ' + c.name +
      ' after a host failure (admission control ' +
      CASE WHEN c.ha_admission_control_enabled THEN coalesce(c.ha_admission_control_policy, 'on')
           ELSE 'off' END +
      ', default restart priority ' + coalesce(c.ha_restart_priority, 'default') +
      ', isolation response ' + coalesce(c.ha_isolation_response, 'default') +
      ', host monitoring ' + coalesce(c.ha_host_monitoring, 'default') + ')',
    d.evidence_ids = [c.id], d.evidence_names = [c.name]
MERGE (d)-[:EVIDENCE]->(c)
WITH d, vms
OPTIONAL MATCH (d)-[old:AFFECTS]->()
DELETE old
WITH DISTINCT d, vms
FOREACH (vm IN vms | MERGE (d)-[:AFFECTS]->(vm))
RETURN count(d) AS decisions;
