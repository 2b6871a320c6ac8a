// capacity: each resource pool or vApp (not a cluster's root pool) with a non-default
// reservation, limit or shares setting, and each expandable reservation. The blast radius is
// every VM in the pool or below it. Parameters: $run.
MATCH (pool:ResourcePool)-[:CHILD_OF]->(parent:ResourcePool)
WITH pool, [x IN [
  CASE WHEN coalesce(pool.cpu_reservation, 0) > 0 THEN 'reserves ' + pool.cpu_reservation + ' MHz CPU' END,
  CASE WHEN coalesce(pool.cpu_limit, -1) >= 0 THEN 'is limited to ' + pool.cpu_limit + ' MHz CPU' END,
  CASE WHEN coalesce(pool.cpu_shares_level, 'normal') <> 'normal'
       THEN 'has ' + pool.cpu_shares_level + ' CPU shares' END,
  CASE WHEN coalesce(pool.mem_reservation, 0) > 0 THEN 'reserves ' + pool.mem_reservation + ' MB memory' END,
  CASE WHEN coalesce(pool.mem_limit, -1) >= 0 THEN 'is limited to ' + pool.mem_limit + ' MB memory' END,
  CASE WHEN coalesce(pool.mem_shares_level, 'normal') <> 'normal'
       THEN 'has ' + pool.mem_shares_level + ' memory shares' END
] WHERE x IS NOT NULL] AS settings,
  [x IN [CASE WHEN pool.cpu_expandable THEN 'CPU' END, CASE WHEN pool.mem_expandable THEN 'memory' END]
   WHERE x IS NOT NULL] AS expandable,
  COLLECT { MATCH (pool)<-[:IN_POOL|CHILD_OF*1..]-(vm:VirtualMachine) RETURN DISTINCT vm } AS vms
UNWIND [k IN ['pool_allocation', 'expandable_reservation']
        WHERE (k = 'pool_allocation' AND size(settings) > 0)
           OR (k = 'expandable_reservation' AND size(expandable) > 0)] AS kind
MERGE (d:Decision {id: CASE kind WHEN 'pool_allocation' THEN 'capacity-pool:'
                                 ELSE 'expandable-pool:' END + pool.id})
ON CREATE SET d.first_seen = datetime()
SET d.category = 'capacity', d.kind = kind, d.status = 'active', d.retired_at = null,
    d.derive_run = $run, d.last_seen = datetime(),
    d.summary = CASE kind
      WHEN 'pool_allocation' THEN 'Resource pool ' + pool.name + ' ' +
        reduce(s = '', p IN settings | s + CASE WHEN s = '' THEN '' ELSE ', ' END + p) +
        ' for its ' + size(vms) + ' VMs'
      ELSE 'Resource pool ' + pool.name + ' may borrow ' +
        reduce(s = '', p IN expandable | s + CASE WHEN s = '' THEN '' ELSE ' and ' END + p) +
        ' from its parent when its reservation runs out (expandable reservation)' END,
    d.evidence_ids = [pool.id], d.evidence_names = [pool.name]
MERGE (d)-[:EVIDENCE]->(pool)
WITH d, vms
OPTIONAL MATCH (d)-[old:AFFECTS]->()
DELETE old
WITH DISTINCT d, vms
FOREACH (vm IN vms | MERGE (d)-[:AFFECTS]->(vm))
RETURN count(d) AS decisions;
