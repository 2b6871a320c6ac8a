// id: visibility-fragmentation
// title: Alarms and notification routes with no owner or no verified replacement, and VMs no verified alarm covers
// severity: high
// workstream: policy_reimplementation
// description: vCenter was the one console that decided what counts as trouble (alarm definitions) and whom to tell (e-mail, SNMP, syslog, event retention). After migration that view splits across several consoles. These observability decisions have no accepted owner, or no target monitor that a test alert proved reaches the named team; and these VMs are covered by no alarm whose replacement is verified, so nothing would tell anyone when they fail.
// remediation: Assign and accept each alarm and route, record the target monitor (authmap decisions enforce ID --platform TOOL --kind alert-rule --reference "RULE -> ROUTE"), fire a test alert and record that it reached the team (authmap decisions verify ID --method test_alert --result pass --note "reached storage-oncall").
// Three statements follow: findings, total (the denominator), graph (for the viewer).
CALL {
  MATCH (d:Decision {status: 'active', category: 'observability'})
  WHERE coalesce(d.ownership_status, 'unowned') <> 'verified'
  WITH d, coalesce(d.ownership_status, 'unowned') AS status
  RETURN d.id AS decision_id, d.category AS category, d.kind AS kind, d.summary AS summary,
         status, d.owner AS owner,
         CASE WHEN status IN ['unowned', 'assigned'] THEN 'no accepted owner'
              WHEN status = 'accepted' THEN 'no replacement recorded'
              ELSE 'replacement not verified' END AS gap,
         COUNT { (d)-[:AFFECTS]->() } AS blast_radius
  UNION ALL
  MATCH (vm:VirtualMachine)
  WHERE NOT coalesce(vm.template, false)
    AND NOT EXISTS {
      (:Decision {status: 'active', kind: 'alarm', ownership_status: 'verified'})-[:AFFECTS]->(vm)
    }
  WITH vm, COUNT { (:Decision {status: 'active', kind: 'alarm'})-[:AFFECTS]->(vm) } AS alarms
  RETURN vm.id AS decision_id, 'vm' AS category, 'uncovered_vm' AS kind,
         'VM ' + vm.name + ' is covered by no verified alarm on the target (' + alarms +
         ' vCenter alarm(s) watched it)' AS summary,
         null AS status, null AS owner, 'no verified alarm' AS gap, 1 AS blast_radius
}
RETURN decision_id, category, kind, summary, status, owner, gap, blast_radius
ORDER BY category, blast_radius DESC, decision_id;
RETURN COUNT { (d:Decision {status: 'active', category: 'observability'}) } +
       COUNT { (vm:VirtualMachine) WHERE NOT coalesce(vm.template, false) } AS total;
MATCH (d:Decision {status: 'active', category: 'observability'})
WHERE coalesce(d.ownership_status, 'unowned') <> 'verified'
OPTIONAL MATCH (d)-[r:EVIDENCE|AFFECTS]->(x)
RETURN d, r, x
LIMIT 500;
