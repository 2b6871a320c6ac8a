// The dependency map with precedence: (:VirtualMachine)-[:REACHES]->(:VirtualMachine) when an
// explicit ALLOW rule decides that traffic (NSX's rule order evaluated, app/network), with
// the services (tcp/443...) and the deciding rules (ids and names, one per service).
// Parameters: $rows (maps with from, to, services, rules, rule_names), $run.
UNWIND $rows AS row
OPTIONAL MATCH (v1:VirtualMachine {id: row.from})
OPTIONAL MATCH (n1:NsxVirtualMachine {id: row.from})
OPTIONAL MATCH (v2:VirtualMachine {id: row.to})
OPTIONAL MATCH (n2:NsxVirtualMachine {id: row.to})
WITH row, coalesce(v1, n1) AS a, coalesce(v2, n2) AS b
WHERE a IS NOT NULL AND b IS NOT NULL
MERGE (a)-[m:REACHES]->(b)
SET m.services = row.services, m.rules = row.rules, m.rule_names = row.rule_names,
    m.derive_run = $run
RETURN count(m) AS reaches;
