// The vCenter VMs whose traffic each enabled NSX rule decides: (:NsxRule)-[:GOVERNS]->(:VirtualMachine).
//   * the members of its source and destination groups (HAS_MEMBER: NSX's effective
//     membership from a live collection, else evaluated from the expression, app/network);
//   * a rule with no group on either side (ANY, raw IPs) governs the members of its applied-to
//     groups: the rule's own scope, else its policy's scope;
//   * with no scope either, a distributed-firewall rule governs every VM of that NSX manager,
//     a gateway rule none (its traffic is north-south, at the gateway).
// VMs count only once matched to vCenter (derive/nsx/10_vm_links). Parameters: none.
MATCH (r:NsxRule {disabled: false})-[:IN_POLICY]->(p:NsxSecurityPolicy)
WITH r, p,
     COLLECT { MATCH (r)-[:SOURCE_GROUP|DESTINATION_GROUP]->(g:NsxGroup) RETURN g } AS sides,
     COLLECT { MATCH (r)-[:APPLIED_TO]->(x) RETURN x } AS ruleScope,
     COLLECT { MATCH (p)-[:APPLIED_TO]->(x) RETURN x } AS policyScope
WITH r, p, sides, CASE WHEN size(ruleScope) > 0 THEN ruleScope ELSE policyScope END AS scope
WITH r, CASE
       WHEN size(sides) > 0 THEN COLLECT {
         UNWIND sides AS g
         MATCH (g)-[:HAS_MEMBER]->(vm:VirtualMachine)
         RETURN DISTINCT vm }
       WHEN size(scope) > 0 THEN COLLECT {
         UNWIND scope AS x
         MATCH (x:NsxGroup)-[:HAS_MEMBER]->(vm:VirtualMachine)
         RETURN DISTINCT vm }
       WHEN p.policy_type = 'distributed' THEN COLLECT {
         MATCH (:NsxVirtualMachine {source_id: r.source_id})-[:SAME_AS]->(vm:VirtualMachine)
         RETURN DISTINCT vm }
       ELSE [] END AS vms
FOREACH (vm IN vms | MERGE (r)-[:GOVERNS]->(vm))
RETURN count(r) AS rules, sum(size(vms)) AS governed;
