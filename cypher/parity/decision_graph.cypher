// Parity: a decision with its latest stored parity result on each target and the target
// objects that result names as evidence (what the viewer draws as source decision <-> target
// object links). Parameters: $decision_id.
MATCH (d:Decision {id: $decision_id})
OPTIONAL MATCH (p:ParityResult {latest: true})-[po:PARITY_OF]->(d)
OPTIONAL MATCH (p)-[te:TARGET_EVIDENCE]->(t)
RETURN d, po, p, te, t
LIMIT 1000;
