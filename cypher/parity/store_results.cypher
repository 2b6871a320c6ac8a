// Parity: store each decision's result (evidence snapshot, explanation, VMs) linked to its
// Decision, its run and the target objects named as evidence; the decision's earlier results
// on the same target are no longer latest. Decision ownership is not touched.
// Parameters: $rows, $run, $at, $target.
UNWIND $rows AS row
MATCH (d:Decision {id: row.decision_id})
MATCH (run:ParityRun {id: $run})
OPTIONAL MATCH (old:ParityResult {decision_id: row.decision_id, latest: true, target: $target})
SET old.latest = false
WITH DISTINCT d, run, row
MERGE (p:ParityResult {id: $run + ':' + row.decision_id})
SET p.decision_id = row.decision_id, p.target = $target, p.run = $run, p.at = datetime($at),
    p.status = row.status, p.explanation = row.explanation, p.evidence_json = row.evidence_json,
    p.vms_mapped = row.mapped, p.vms_unmapped = row.unmapped, p.latest = true
MERGE (p)-[:PARITY_OF]->(d)
MERGE (p)-[:IN_RUN]->(run)
WITH p, row
CALL (p, row) {
  UNWIND row.evidence_ids AS eid
  MATCH (t:TargetObject {id: eid})
  MERGE (p)-[:TARGET_EVIDENCE]->(t)
  RETURN count(t) AS linked
}
RETURN count(p) AS stored;
