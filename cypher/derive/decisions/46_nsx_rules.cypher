// network_authority: each enabled NSX firewall or gateway rule: who may (or may not) reach
// whom, on what, applied where (rule-level scope, else the policy's, else everywhere). The
// VMs it affects are those it governs (derive/nsx/30_rule_vms). Disabled rules decide nothing
// and make no decision. Parameters: $run.
MATCH (r:NsxRule {disabled: false})-[:IN_POLICY]->(p:NsxSecurityPolicy)
WITH r, p,
     COLLECT { MATCH (r)-[:SOURCE_GROUP]->(g) RETURN g.display_name AS n ORDER BY n } +
       r.source_addresses AS src,
     COLLECT { MATCH (r)-[:DESTINATION_GROUP]->(g) RETURN g.display_name AS n ORDER BY n } +
       r.destination_addresses AS dst,
     COLLECT { MATCH (r)-[:USES_SERVICE]->(s) RETURN s.display_name AS n ORDER BY n } +
       r.service_entries AS svc,
     COLLECT { MATCH (r)-[:APPLIED_TO]->(x) RETURN x.display_name AS n ORDER BY n } AS ruleScope,
     COLLECT { MATCH (p)-[:APPLIED_TO]->(x) RETURN x.display_name AS n ORDER BY n }
       AS policyScope,
     COLLECT { MATCH (r)-[:GOVERNS]->(vm:VirtualMachine) RETURN vm } AS vms,
     COLLECT { MATCH (r)-[:SOURCE_GROUP|DESTINATION_GROUP]->(g) RETURN g } AS groups
WITH r, p, vms, groups,
     CASE WHEN r.source_any THEN 'any source'
          ELSE CASE WHEN r.sources_excluded THEN 'anything but ' ELSE '' END +
               reduce(t = '', n IN src | t + CASE WHEN t = '' THEN '' ELSE ', ' END + n) END
       AS from,
     CASE WHEN r.destination_any THEN 'any destination'
          ELSE CASE WHEN r.destinations_excluded THEN 'anything but ' ELSE '' END +
               reduce(t = '', n IN dst | t + CASE WHEN t = '' THEN '' ELSE ', ' END + n) END
       AS to,
     CASE WHEN r.services_any THEN 'any service'
          ELSE reduce(t = '', n IN svc | t + CASE WHEN t = '' THEN '' ELSE ', ' END + n) END
       AS services,
     CASE WHEN size(ruleScope) > 0 THEN 'rule' WHEN size(policyScope) > 0 THEN 'policy'
          ELSE 'everywhere' END AS level,
     CASE WHEN size(ruleScope) > 0 THEN ruleScope ELSE policyScope END AS scope
MERGE (d:Decision {id: 'nsx-rule:' + r.id})
ON CREATE SET d.first_seen = datetime()
SET d.category = 'network_authority', d.kind = 'nsx_rule', d.status = 'active',
    d.retired_at = null, d.derive_run = $run, d.last_seen = datetime(),
    d.scope_level = level,
    d.summary = 'NSX rule ' + r.display_name + ' (policy ' + p.display_name +
      coalesce(', ' + p.category, '') + ') ' + coalesce(r.action, 'ALLOW') + 's ' + from +
      ' to ' + to + ' on ' + services + coalesce(' (' + r.direction + ')', '') + ', applied ' +
      CASE level
        WHEN 'everywhere' THEN CASE p.policy_type WHEN 'gateway' THEN 'on every gateway'
                               ELSE 'everywhere' END
        ELSE 'to ' + reduce(t = '', n IN scope | t + CASE WHEN t = '' THEN '' ELSE ', ' END + n) +
             ' (' + level + '-level)' END +
      CASE WHEN r.logged THEN ', logged' ELSE '' END + '; governs ' + size(vms) + ' VMs',
    d.evidence_ids = [r.id, p.id], d.evidence_names = [r.display_name, p.display_name]
MERGE (d)-[:EVIDENCE]->(r)
MERGE (d)-[:EVIDENCE]->(p)
WITH d, vms, groups
OPTIONAL MATCH (d)-[oldGroup:EVIDENCE]->(:NsxGroup)
DELETE oldGroup
WITH DISTINCT d, vms, groups
FOREACH (g IN groups | MERGE (d)-[:EVIDENCE]->(g))
WITH d, vms
OPTIONAL MATCH (d)-[old:AFFECTS]->()
DELETE old
WITH DISTINCT d, vms
FOREACH (vm IN vms | MERGE (d)-[:AFFECTS]->(vm))
RETURN count(d) AS decisions;
