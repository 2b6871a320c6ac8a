// change_authority: each permission (principal, role, entity, propagate). The blast radius is
// every VM the grant reaches: the entity itself, and with propagate everything below it along
// the permission-inheritance edges (folder and resource-pool/cluster chains, built by
// derive/inheritance before this file runs; docs/permissions.md). Parameters: $run.
MATCH (p:Permission)-[:ON_ENTITY]->(e:VSphereEntity), (p)-[:WITH_ROLE]->(role:Role)
WITH p, e, role, CASE WHEN e:VirtualMachine THEN [e] ELSE [] END AS self
WITH p, e, role, CASE WHEN NOT p.propagate THEN self ELSE self + COLLECT {
  MATCH (e)<-[:PERMISSION_PARENT*1..]-(vm:VirtualMachine)
  RETURN DISTINCT vm
} END AS vms
WITH p, e, role, vms,
     [l IN labels(e) WHERE NOT l IN ['Source', 'VSphereEntity']][0] AS entity_kind
MERGE (d:Decision {id: 'permission:' + p.id})
ON CREATE SET d.first_seen = datetime()
SET d.category = 'change_authority', d.kind = 'permission', d.status = 'active',
    d.retired_at = null, d.derive_run = $run, d.last_seen = datetime(),
    d.summary = CASE WHEN p.is_group THEN 'Group ' ELSE 'User ' END + p.principal + ' holds role ' +
      role.name + ' on ' + entity_kind + ' ' + e.name +
      CASE WHEN p.propagate THEN ', propagating to everything below it'
           ELSE ', on that object only' END,
    d.evidence_ids = [p.id, role.id, e.id], d.evidence_names = [p.principal, role.name, e.name]
MERGE (d)-[:EVIDENCE]->(p)
MERGE (d)-[:EVIDENCE]->(role)
MERGE (d)-[:EVIDENCE]->(e)
WITH d, vms
OPTIONAL MATCH (d)-[old:AFFECTS]->()
DELETE old
WITH DISTINCT d, vms
FOREACH (vm IN vms | MERGE (d)-[:AFFECTS]->(vm))
RETURN count(d) AS decisions;
