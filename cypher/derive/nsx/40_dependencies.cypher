// The network dependency map the migration must preserve: (:NsxGroup)-[:MAY_REACH]->(:NsxGroup)
// when an enabled ALLOW rule lets the source group's members reach the destination group's.
// Each edge lists the rules (ids and names) and the services (names, inline entries, or ANY).
// Rules with negated sides (sources_excluded / destinations_excluded) and sides that are ANY
// or raw IPs make no group-to-group edge. Precedence is not evaluated: a DROP rule earlier in
// the category order may still block a pair listed here. Parameters: $run.
MATCH (r:NsxRule {action: 'ALLOW', disabled: false})-[:IN_POLICY]->(:NsxSecurityPolicy)
WHERE NOT r.sources_excluded AND NOT r.destinations_excluded
MATCH (r)-[:SOURCE_GROUP]->(s:NsxGroup)
MATCH (r)-[:DESTINATION_GROUP]->(d:NsxGroup)
WITH s, d, r ORDER BY r.id
WITH s, d, collect(DISTINCT r) AS rules
WITH s, d, rules,
     any(x IN rules WHERE x.services_any) AS anyService,
     COLLECT { UNWIND rules AS x MATCH (x)-[:USES_SERVICE]->(svc:NsxService)
               RETURN DISTINCT svc.display_name AS n ORDER BY n } +
     COLLECT { UNWIND rules AS x UNWIND x.service_entries AS e RETURN DISTINCT e ORDER BY e }
       AS services
MERGE (s)-[m:MAY_REACH]->(d)
SET m.rules = [x IN rules | x.id],
    m.rule_names = [x IN rules | x.display_name],
    m.services = CASE WHEN anyService THEN ['ANY'] ELSE services END,
    m.derive_run = $run
RETURN count(m) AS dependencies;
