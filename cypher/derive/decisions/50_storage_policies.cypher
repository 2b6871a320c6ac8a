// storage_allocation: each storage policy in use, and what it is applied to. Parameters: $run.
MATCH (sp:StoragePolicy)<-[:USES_POLICY]-(a:StoragePolicyAssociation)-[:FOR_VM]->(vm:VirtualMachine)
WITH sp, collect(DISTINCT vm) AS vms, count(a) AS objects
MERGE (d:Decision {id: 'storage-policy:' + sp.id})
ON CREATE SET d.first_seen = datetime()
SET d.category = 'storage_allocation', d.kind = 'storage_policy', d.status = 'active',
    d.retired_at = null, d.derive_run = $run, d.last_seen = datetime(),
    d.summary = 'Storage policy ' + sp.name + ' governs ' + objects +
      ' VM home(s) and disk(s) of ' + size(vms) + ' VMs',
    d.evidence_ids = [sp.id], d.evidence_names = [sp.name]
MERGE (d)-[:EVIDENCE]->(sp)
WITH d, vms
OPTIONAL MATCH (d)-[old:AFFECTS]->()
DELETE old
WITH DISTINCT d, vms
FOREACH (vm IN vms | MERGE (d)-[:AFFECTS]->(vm))
RETURN count(d) AS decisions;
