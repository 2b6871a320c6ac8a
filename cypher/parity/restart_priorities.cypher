// Parity: per HA decision (a cluster's HA policy or a VM's HA override), the cluster's default
// restart priority, the override's settings, and every VM of the cluster with its own
// override's restart priority (null: none). Parameters: $ids (decision ids).
MATCH (d:Decision)-[:EVIDENCE]->(c:Cluster)
WHERE d.id IN $ids
OPTIONAL MATCH (d)-[:EVIDENCE]->(o:VmOverride {override_type: 'ha'})-[:OVERRIDES]->(ovm:VirtualMachine)
RETURN d.id AS id, c.name AS cluster, c.ha_restart_priority AS default_priority,
       ovm.id AS vm, o.ha_restart_priority AS restart_priority,
       o.ha_isolation_response AS isolation_response, o.ha_vm_monitoring AS vm_monitoring,
       COLLECT {
         MATCH (m:VirtualMachine)-[:RUNS_ON]->(:Host)-[:IN_CLUSTER]->(c)
         OPTIONAL MATCH (x:VmOverride {override_type: 'ha'})-[:OVERRIDES]->(m)
         WHERE (x)-[:IN_CLUSTER]->(c)
         RETURN {vm: m.id, override: x.ha_restart_priority}
       } AS members;
