// The assigned team accepts the decision. Parameters: $decision_id, $actor, $expected_version,
// $note.
MATCH (d:Decision {id: $decision_id})
// Lock the decision before reading its version: Neo4j reads committed data without locks, so
// two writers at the same version would both pass the check and both write (lost update,
// duplicate events and ASSIGNED_TO). Holding the write lock, each sees the last commit.
SET d._lock = true
REMOVE d._lock
WITH d
MATCH (d)-[:ASSIGNED_TO]->(t:Team)
WHERE coalesce(d.version, 0) = $expected_version AND d.ownership_status = 'assigned'
SET d.ownership_status = 'accepted', d.version = $expected_version + 1,
    d.accepted_at = datetime(), d.accepted_by = $actor
CREATE (d)-[:HAS_EVENT]->(ev:Event {id: randomUUID(), at: datetime(), actor: $actor,
  action: 'accept', decision_id: d.id, before_status: 'assigned', after_status: 'accepted',
  before_owner: t.name, after_owner: t.name, note: $note, version: d.version})
RETURN d.version AS version, ev.id AS event;
