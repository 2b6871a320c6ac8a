// Record the target control that re-implements the decision (or that it has no native
// equivalent and is owned as a process). Earlier enforcements are kept, marked not current.
// Parameters: $decision_id, $actor, $expected_version, $platform, $control_kind, $reference,
// $native (boolean), $note.
MATCH (d:Decision {id: $decision_id})
// Lock the decision before reading its version: Neo4j reads committed data without locks, so
// two writers at the same version would both pass the check and both write (lost update,
// duplicate events and ASSIGNED_TO). Holding the write lock, each sees the last commit.
SET d._lock = true
REMOVE d._lock
WITH d
MATCH (d)-[:ASSIGNED_TO]->(t:Team)
WHERE coalesce(d.version, 0) = $expected_version
  AND d.ownership_status IN ['accepted', 'enforced', 'verified']
OPTIONAL MATCH (p:TargetPlatform {name: $platform})
OPTIONAL MATCH (d)-[:ENFORCED_BY]->(prev:Enforcement {current: true})
WITH d, t, p, collect(prev) AS previous, d.ownership_status AS before
FOREACH (x IN previous | SET x.current = false)
CREATE (d)-[:ENFORCED_BY]->(e:Enforcement {id: randomUUID(), at: datetime(), by: $actor,
  platform: $platform, kind: $control_kind, reference: $reference, native: $native,
  note: $note, current: true})
FOREACH (_ IN CASE WHEN p IS NULL THEN [] ELSE [1] END | CREATE (e)-[:ON_PLATFORM]->(p))
SET d.ownership_status = 'enforced', d.version = $expected_version + 1
CREATE (d)-[:HAS_EVENT]->(ev:Event {id: randomUUID(), at: datetime(), actor: $actor,
  action: 'enforce', decision_id: d.id, before_status: before, after_status: 'enforced',
  before_owner: t.name, after_owner: t.name, note: $note, version: d.version,
  detail: $platform + ': ' + coalesce($reference, 'no native equivalent: owned as a process')})
RETURN d.version AS version, ev.id AS event;
