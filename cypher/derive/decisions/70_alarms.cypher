// observability: each alarm definition: what vCenter treats as trouble, on which objects,
// and whom it tells. Its scope is the entity it is defined on and everything below it
// (folders, datacenters, clusters, hosts, pools); the blast radius is every VM in that
// scope, plus the VMs on the datastores and networks in it. Scopes are computed once per
// entity (vCenter defines most of its alarms on the root folder). The AFFECTS links are
// made afterwards, in transactions of their own (derive/links/alarm_affects.cypher).
// Parameters: $run.
MATCH (e:VSphereEntity)
WHERE EXISTS { (:Alarm)-[:DEFINED_ON]->(e) }
WITH e, COLLECT {
  MATCH (e)<-[:IN_FOLDER|RUNS_ON|IN_POOL|CHILD_OF|IN_CLUSTER*0..]-(x:VSphereEntity)
  RETURN DISTINCT x
} AS scope
WITH e, scope, [l IN labels(e) WHERE NOT l IN ['Source', 'VSphereEntity']][0] AS entity_kind
MATCH (a:Alarm)-[:DEFINED_ON]->(e)
WITH a, e, entity_kind,
     size([x IN scope WHERE any(l IN labels(x) WHERE l IN a.watches)]) AS watched,
     EXISTS { (:NotificationRoute {route_type: 'smtp', source_id: a.source_id}) } AS smtp,
     EXISTS { (:NotificationRoute {route_type: 'snmp', source_id: a.source_id, enabled: true}) }
       AS snmp
MERGE (d:Decision {id: 'alarm:' + a.id})
ON CREATE SET d.first_seen = datetime()
SET d.category = 'observability', d.kind = 'alarm', d.status = 'active', d.retired_at = null,
    d.derive_run = $run, d.last_seen = datetime(),
    d.summary = 'Alarm "' + a.name + '" on ' + entity_kind + ' ' + e.name +
      CASE WHEN size(a.watches) = 0 THEN ''
           ELSE ' (' + watched + ' ' +
             reduce(s = '', l IN a.watches | s + CASE WHEN s = '' THEN '' ELSE '/' END + l) +
             ' object(s))' END +
      CASE WHEN size(a.trigger_texts) > 1
           THEN CASE WHEN a.all_triggers THEN ' fires when all hold: ' ELSE ' fires on any of: ' END
           ELSE ' fires on ' END +
      reduce(s = '', t IN a.trigger_texts | s + CASE WHEN s = '' THEN '' ELSE ' | ' END + t) +
      '; then it ' +
      CASE WHEN size(a.action_texts) = 0 THEN 'tells nobody (shown in vCenter only)'
           ELSE reduce(s = '', t IN a.action_texts | s + CASE WHEN s = '' THEN '' ELSE '; ' END + t)
      END +
      CASE WHEN size(a.email_recipients) > 0 AND NOT smtp
           THEN ' (no SMTP server is set: the e-mail goes nowhere)' ELSE '' END +
      CASE WHEN a.snmp_trap AND NOT snmp
           THEN ' (no SNMP receiver is set: the trap goes nowhere)' ELSE '' END +
      CASE WHEN a.enabled THEN '' ELSE ' (alarm disabled)' END,
    d.evidence_ids = [a.id, e.id], d.evidence_names = [a.name, e.name]
MERGE (d)-[:EVIDENCE]->(a)
MERGE (d)-[:EVIDENCE]->(e)
RETURN count(d) AS decisions;
