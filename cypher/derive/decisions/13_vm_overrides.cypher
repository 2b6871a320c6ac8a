// placement (per-VM DRS automation) and failure_recovery (per-VM HA restart/isolation):
// each per-VM override. Parameters: $run.
MATCH (o:VmOverride)-[:OVERRIDES]->(vm:VirtualMachine), (o)-[:IN_CLUSTER]->(c:Cluster)
MERGE (d:Decision {id: 'vm-override:' + o.id})
ON CREATE SET d.first_seen = datetime()
SET d.category = CASE o.override_type WHEN 'drs' THEN 'placement' ELSE 'failure_recovery' END,
    d.kind = CASE o.override_type WHEN 'drs' THEN 'vm_drs_override' ELSE 'vm_ha_override' END,
    d.status = 'active', d.retired_at = null, d.derive_run = $run, d.last_seen = datetime(),
    d.summary = CASE o.override_type
      WHEN 'drs' THEN 'DRS automation for VM ' + vm.name + ' in cluster ' + c.name + ' is ' +
        CASE WHEN o.drs_enabled = false THEN 'disabled'
             ELSE coalesce(o.drs_automation_level, 'overridden') END
      ELSE 'HA treats VM ' + vm.name + ' in cluster ' + c.name + ' specially (' +
        reduce(s = '', p IN [x IN [
          CASE WHEN o.ha_restart_priority IS NOT NULL THEN 'restart priority ' + o.ha_restart_priority END,
          CASE WHEN o.ha_isolation_response IS NOT NULL THEN 'isolation response ' + o.ha_isolation_response END,
          CASE WHEN o.ha_vm_monitoring IS NOT NULL THEN 'monitoring ' + o.ha_vm_monitoring END
        ] WHERE x IS NOT NULL] | s + CASE WHEN s = '' THEN '' ELSE ', ' END + p) + ')'
      END,
    d.evidence_ids = [o.id, vm.id, c.id], d.evidence_names = [vm.name, c.name]
MERGE (d)-[:EVIDENCE]->(o)
MERGE (d)-[:EVIDENCE]->(c)
WITH d, vm
OPTIONAL MATCH (d)-[old:AFFECTS]->()
DELETE old
WITH DISTINCT d, vm
MERGE (d)-[:AFFECTS]->(vm)
RETURN count(d) AS decisions;
