// capacity: each VM with a non-default reservation, limit or shares setting (defaults:
// reservation 0, limit -1 (unlimited), shares level normal). Parameters: $run.
MATCH (vm:VirtualMachine)
WITH vm, [x IN [
  CASE WHEN coalesce(vm.cpu_reservation, 0) > 0 THEN 'reserves ' + vm.cpu_reservation + ' MHz CPU' END,
  CASE WHEN coalesce(vm.cpu_limit, -1) >= 0 THEN 'is limited to ' + vm.cpu_limit + ' MHz CPU' END,
  CASE WHEN coalesce(vm.cpu_shares_level, 'normal') <> 'normal'
       THEN 'has ' + vm.cpu_shares_level + ' CPU shares' END,
  CASE WHEN coalesce(vm.mem_reservation, 0) > 0 THEN 'reserves ' + vm.mem_reservation + ' MB memory' END,
  CASE WHEN coalesce(vm.mem_limit, -1) >= 0 THEN 'is limited to ' + vm.mem_limit + ' MB memory' END,
  CASE WHEN coalesce(vm.mem_shares_level, 'normal') <> 'normal'
       THEN 'has ' + vm.mem_shares_level + ' memory shares' END
] WHERE x IS NOT NULL] AS settings
WHERE size(settings) > 0
MERGE (d:Decision {id: 'capacity-vm:' + vm.id})
ON CREATE SET d.first_seen = datetime()
SET d.category = 'capacity', d.kind = 'vm_allocation', d.status = 'active',
    d.retired_at = null, d.derive_run = $run, d.last_seen = datetime(),
    d.summary = 'VM ' + vm.name + ' ' +
      reduce(s = '', p IN settings | s + CASE WHEN s = '' THEN '' ELSE ', ' END + p),
    d.evidence_ids = [vm.id], d.evidence_names = [vm.name]
MERGE (d)-[:EVIDENCE]->(vm)
MERGE (d)-[:AFFECTS]->(vm)
RETURN count(d) AS decisions;
