// Assign a decision to a team (any status; a reassignment restarts acceptance). Appends an
// event in the same transaction. Writes nothing unless the version still is $expected_version.
// Parameters: $decision_id, $team, $actor, $expected_version, $note.
MATCH (d:Decision {id: $decision_id})
// Lock the decision before reading its version: Neo4j reads committed data without locks, so
// two writers at the same version would both pass the check and both write (lost update,
// duplicate events and ASSIGNED_TO). Holding the write lock, each sees the last commit.
SET d._lock = true
REMOVE d._lock
WITH d
MATCH (t:Team {name: $team})
WHERE coalesce(d.version, 0) = $expected_version
OPTIONAL MATCH (d)-[old:ASSIGNED_TO]->(prev:Team)
WITH d, t, old, prev.name AS before_team, coalesce(d.ownership_status, 'unowned') AS before
DELETE old
SET d.ownership_status = 'assigned', d.owner = t.name, d.version = $expected_version + 1
MERGE (d)-[:ASSIGNED_TO]->(t)
CREATE (d)-[:HAS_EVENT]->(ev:Event {id: randomUUID(), at: datetime(), actor: $actor,
  action: 'assign', decision_id: d.id, before_status: before, after_status: 'assigned',
  before_owner: before_team, after_owner: t.name, note: $note, version: d.version})
RETURN d.version AS version, ev.id AS event;
