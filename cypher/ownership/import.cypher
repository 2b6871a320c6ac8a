// Apply an ownership file: upsert teams and platforms, then set each listed decision's team,
// status, enforcement and verification, appending an 'import' event per changed decision.
// Only decisions still at row.expected_version are changed; the caller checks the count and
// rolls everything back otherwise. Parameters: $teams, $platforms, $rows, $actor.
CALL {
  UNWIND $teams AS t
  MERGE (team:Team {name: t.name})
  SET team.contact = t.contact, team.directory_group = t.directory_group
}
CALL {
  UNWIND $platforms AS p
  MERGE (pl:TargetPlatform {name: p.name})
  SET pl.kind = p.kind
}
UNWIND $rows AS row
MATCH (d:Decision {id: row.id})
// Lock the decision before checking its version (see assign.cypher): without the lock a
// concurrent API write at the same version could also commit.
SET d._lock = true
REMOVE d._lock
WITH d, row
WHERE coalesce(d.version, 0) = row.expected_version
MATCH (team:Team {name: row.team})
WITH d, team, row, coalesce(d.ownership_status, 'unowned') AS before, d.owner AS before_owner
CALL (d) {
  OPTIONAL MATCH (d)-[old:ASSIGNED_TO]->()
  DELETE old
}
MERGE (d)-[:ASSIGNED_TO]->(team)
SET d.ownership_status = row.status, d.owner = team.name, d.version = row.expected_version + 1
WITH d, team, row, before, before_owner
CALL (d, row) {
  WITH d, row WHERE row.new_enforcement IS NOT NULL
  OPTIONAL MATCH (d)-[:ENFORCED_BY]->(prev:Enforcement {current: true})
  SET prev.current = false
  WITH DISTINCT d, row
  CREATE (d)-[:ENFORCED_BY]->(:Enforcement {id: randomUUID(), at: datetime(), by: $actor,
    platform: row.new_enforcement.platform, reference: row.new_enforcement.reference,
    kind: row.new_enforcement.kind, native: row.new_enforcement.reference IS NOT NULL,
    current: true, note: 'imported'})
}
CALL (d, row) {
  WITH d, row WHERE row.new_verification IS NOT NULL
  MATCH (d)-[:ENFORCED_BY]->(e:Enforcement {current: true})
  CREATE (e)-[:VERIFIED_BY]->(:Verification {id: randomUUID(),
    by: coalesce(row.new_verification.by, $actor),
    at: coalesce(datetime(row.new_verification.at), datetime()),
    method: row.new_verification.method, result: row.new_verification.result,
    note: 'imported'})
}
CREATE (d)-[:HAS_EVENT]->(:Event {id: randomUUID(), at: datetime(), actor: $actor,
  action: 'import', decision_id: d.id, before_status: before, after_status: row.status,
  before_owner: before_owner, after_owner: team.name, version: d.version})
RETURN count(d) AS applied;
