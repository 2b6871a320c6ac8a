// observability: the blast radius of each alarm decision, as AFFECTS links to every VM in the
// alarm's scope (the entity it is defined on and everything below it), plus the VMs on the
// datastores and networks in that scope. vCenter defines about 200 alarms on its root folder,
// so at 10,000 VMs this is about 2M links: they are written a few decisions per transaction
// (one transaction for all of them outgrows Neo4j's transaction memory), links still right
// are kept, and only missing ones are created and stale ones deleted. Scopes are computed
// once per entity. Runs after derive/decisions/70_alarms.cypher, in an auto-commit
// transaction (CALL ... IN TRANSACTIONS); safe to repeat. No parameters.
MATCH (e:VSphereEntity)
WHERE EXISTS { (:Alarm)-[:DEFINED_ON]->(e) }
WITH e, COLLECT {
  MATCH (e)<-[:IN_FOLDER|RUNS_ON|IN_POOL|CHILD_OF|IN_CLUSTER*0..]-(x:VSphereEntity)
  RETURN DISTINCT x
} AS scope
WITH e, COLLECT {
  UNWIND scope AS x
  MATCH (x)<-[:USES_DATASTORE|ATTACHED_TO*0..1]-(vm:VirtualMachine)
  RETURN DISTINCT vm
} AS vms
MATCH (a:Alarm)-[:DEFINED_ON]->(e)
MATCH (d:Decision {id: 'alarm:' + a.id})
CALL (d, vms) {
  WITH d, vms, COLLECT { MATCH (d)-[:AFFECTS]->(x) RETURN x } AS linked
  CALL (d, vms) {
    MATCH (d)-[old:AFFECTS]->(x)
    WHERE NOT x IN vms
    DELETE old
  }
  WITH d, [vm IN vms WHERE NOT vm IN linked] AS missing
  UNWIND missing AS vm
  CREATE (d)-[:AFFECTS]->(vm)
} IN TRANSACTIONS OF 5 ROWS
RETURN count(d) AS decisions;
