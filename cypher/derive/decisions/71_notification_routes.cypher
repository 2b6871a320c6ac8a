// observability: each notification route: the SMTP server alarm e-mail leaves through, each
// SNMP receiver, how long vCenter keeps events and tasks, and each host's remote syslog
// targets. The blast radius of a vCenter-wide route is every VM of that vCenter; of a host's
// syslog route, the VMs running on that host. Parameters: $run.
MATCH (route:NotificationRoute)
OPTIONAL MATCH (route)-[:FOR_VCENTER]->(v:VCenter)
OPTIONAL MATCH (route)-[:FOR_HOST]->(h:Host)
WITH route, v, h,
     CASE WHEN h IS NOT NULL
          THEN COLLECT { MATCH (vm:VirtualMachine)-[:RUNS_ON]->(h) RETURN vm }
          ELSE COLLECT { MATCH (vm:VirtualMachine {source_id: route.source_id}) RETURN vm }
     END AS vms,
     reduce(s = '', t IN route.targets | s + CASE WHEN s = '' THEN '' ELSE ', ' END + t)
       AS targets
MERGE (d:Decision {id: 'route:' + route.id})
ON CREATE SET d.first_seen = datetime()
SET d.category = 'observability',
    d.kind = CASE route.route_type WHEN 'smtp' THEN 'mail_route' WHEN 'snmp' THEN 'snmp_route'
               WHEN 'syslog' THEN 'syslog_route' ELSE 'event_retention' END,
    d.status = 'active', d.retired_at = null, d.derive_run = $run, d.last_seen = datetime(),
    d.summary = CASE route.route_type
      WHEN 'smtp' THEN 'vCenter ' + coalesce(v.name, route.source_id) +
        ' sends alarm e-mail through ' + targets + coalesce(' from ' + route.sender, '')
      WHEN 'snmp' THEN 'vCenter ' + coalesce(v.name, route.source_id) +
        ' sends alarm SNMP traps to ' + targets +
        CASE WHEN route.enabled THEN '' ELSE ' (receiver disabled)' END
      WHEN 'syslog' THEN 'Host ' + coalesce(h.name, route.name) + ' forwards its logs to ' +
        targets + ' (' + size(vms) + ' VMs run there)'
      ELSE 'vCenter ' + coalesce(v.name, route.source_id) + ' keeps events ' +
        CASE WHEN route.event_retention_days IS NULL THEN 'for an unset time'
             WHEN route.event_retention_days < 0 THEN 'forever'
             ELSE 'for ' + route.event_retention_days + ' days' END +
        ' and tasks ' +
        CASE WHEN route.task_retention_days IS NULL THEN 'for an unset time'
             WHEN route.task_retention_days < 0 THEN 'forever'
             ELSE 'for ' + route.task_retention_days + ' days' END
      END,
    d.evidence_ids = [x IN [route.id, v.id, h.id] WHERE x IS NOT NULL],
    d.evidence_names = [x IN [route.name, v.name, h.name] WHERE x IS NOT NULL]
MERGE (d)-[:EVIDENCE]->(route)
FOREACH (x IN [y IN [v, h] WHERE y IS NOT NULL] | MERGE (d)-[:EVIDENCE]->(x))
WITH d, vms
OPTIONAL MATCH (d)-[old:AFFECTS]->()
DELETE old
WITH DISTINCT d, vms
FOREACH (vm IN vms | MERGE (d)-[:AFFECTS]->(vm))
RETURN count(d) AS decisions;
