// Record a verification of the current enforcement (config check or DR drill). A passing
// result makes the decision verified; a failing one leaves it enforced (and is kept).
// Parameters: $decision_id, $actor, $expected_version, $method, $result ('pass'|'fail'),
// $verified_at (ISO date-time or null for now), $note.
MATCH (d:Decision {id: $decision_id})
// Lock the decision before reading its version: Neo4j reads committed data without locks, so
// two writers at the same version would both pass the check and both write (lost update,
// duplicate events and ASSIGNED_TO). Holding the write lock, each sees the last commit.
SET d._lock = true
REMOVE d._lock
WITH d
MATCH (d)-[:ASSIGNED_TO]->(t:Team)
MATCH (d)-[:ENFORCED_BY]->(e:Enforcement {current: true})
WHERE coalesce(d.version, 0) = $expected_version
  AND d.ownership_status IN ['enforced', 'verified']
WITH d, t, e, d.ownership_status AS before,
     CASE WHEN $result = 'pass' THEN 'verified' ELSE 'enforced' END AS after
CREATE (e)-[:VERIFIED_BY]->(v:Verification {id: randomUUID(), by: $actor,
  at: coalesce(datetime($verified_at), datetime()), method: $method, result: $result,
  note: $note})
SET d.ownership_status = after, d.version = $expected_version + 1
CREATE (d)-[:HAS_EVENT]->(ev:Event {id: randomUUID(), at: datetime(), actor: $actor,
  action: 'verify', decision_id: d.id, before_status: before, after_status: after,
  before_owner: t.name, after_owner: t.name, note: $note, version: d.version,
  detail: $method + ': ' + $result})
RETURN d.version AS version, ev.id AS event;
