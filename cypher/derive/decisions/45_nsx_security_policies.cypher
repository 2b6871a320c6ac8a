// network_authority: each NSX distributed-firewall security policy and gateway policy (its
// category and place in the order, where it applies, what its enabled rules do). The VMs it
// affects are those its enabled rules govern (derive/nsx/30_rule_vms). Parameters: $run.
MATCH (p:NsxSecurityPolicy)
WITH p,
     COLLECT { MATCH (r:NsxRule {disabled: false})-[:IN_POLICY]->(p) RETURN r } AS rules,
     COLLECT { MATCH (p)-[:APPLIED_TO]->(x) RETURN x.display_name AS n ORDER BY n } AS scope,
     COLLECT { MATCH (r:NsxRule {disabled: false})-[:IN_POLICY]->(p)
               MATCH (r)-[:GOVERNS]->(vm:VirtualMachine)
               RETURN DISTINCT vm } AS vms
OPTIONAL MATCH (p)-[:IN_PROJECT]->(proj:NsxProject)
WITH p, rules, scope, vms, proj,
     size([r IN rules WHERE r.action = 'ALLOW']) AS allows,
     size([r IN rules WHERE r.action IN ['DROP', 'REJECT']]) AS blocks
MERGE (d:Decision {id: 'nsx-policy:' + p.id})
ON CREATE SET d.first_seen = datetime()
SET d.category = 'network_authority',
    d.kind = CASE p.policy_type WHEN 'gateway' THEN 'nsx_gateway_policy'
             ELSE 'nsx_security_policy' END,
    d.status = 'active', d.retired_at = null, d.derive_run = $run, d.last_seen = datetime(),
    d.scope_level = CASE WHEN size(scope) > 0 THEN 'policy' ELSE 'everywhere' END,
    d.summary = 'NSX ' + CASE p.policy_type WHEN 'gateway' THEN 'gateway' ELSE 'firewall' END +
      ' policy ' + p.display_name + coalesce(' in project ' + proj.display_name, '') +
      CASE WHEN p.system_owned THEN ' (system default)' ELSE '' END +
      ' (' + coalesce(p.category, 'no category') + coalesce(', sequence ' + p.sequence_number, '') +
      CASE p.stateful WHEN true THEN ', stateful' WHEN false THEN ', stateless' ELSE '' END +
      ') applies ' + CASE
        WHEN size(scope) > 0 THEN 'to ' +
          reduce(t = '', n IN scope | t + CASE WHEN t = '' THEN '' ELSE ', ' END + n)
        WHEN p.policy_type = 'gateway' THEN 'on every gateway'
        ELSE 'everywhere on the distributed firewall' END +
      ' with ' + size(rules) + ' enabled rules (' + allows + ' allow, ' + blocks +
      ' drop or reject) governing ' + size(vms) + ' VMs',
    d.evidence_ids = [p.id], d.evidence_names = [p.display_name]
MERGE (d)-[:EVIDENCE]->(p)
WITH d, vms
OPTIONAL MATCH (d)-[old:AFFECTS]->()
DELETE old
WITH DISTINCT d, vms
FOREACH (vm IN vms | MERGE (d)-[:AFFECTS]->(vm))
RETURN count(d) AS decisions;
