// The assigned team accepts the decision. Parameters: $decision_id, $actor, $expected_version,
// $note.
MATCH (d:Decision {id: $decision_id})-[:ASSIGNED_TO]->(t:Team)
WHERE coalesce(d.version, 0) = $expected_version AND d.ownership_status = 'assigned'
SET d.ownership_status = 'accepted', d.version = $expected_version + 1,
    d.accepted_at = datetime(), d.accepted_by = $actor
CREATE (d)-[:HAS_EVENT]->(ev:Event {id: randomUUID(), at: datetime(), actor: $actor,
  action: 'accept', decision_id: d.id, before_status: 'assigned', after_status: 'accepted',
  before_owner: t.name, after_owner: t.name, note: $note, version: d.version})
RETURN d.version AS version, ev.id AS event;
