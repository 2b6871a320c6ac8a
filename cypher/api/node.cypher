// One node by its API id (its `id` property, else its element id): labels, properties and
// degree by relationship type and direction. API tokens are never shown. Parameters: $id.
CALL () {
  MATCH (n:Source {id: $id}) RETURN n
  UNION
  MATCH (n:Decision {id: $id}) RETURN n
  UNION
  MATCH (n:Event {id: $id}) RETURN n
  UNION
  MATCH (n:Enforcement {id: $id}) RETURN n
  UNION
  MATCH (n:Verification {id: $id}) RETURN n
  UNION
  MATCH (n) WHERE elementId(n) = $id RETURN n
}
WITH n WHERE NOT n:ApiToken
WITH n ORDER BY elementId(n) LIMIT 1
CALL (n) {
  OPTIONAL MATCH (n)-[r]->()
  WITH type(r) AS type, count(r) AS c WHERE type IS NOT NULL
  WITH type, c ORDER BY type
  RETURN collect({type: type, direction: 'out', count: c}) AS outgoing
}
CALL (n) {
  OPTIONAL MATCH (n)<-[r]-()
  WITH type(r) AS type, count(r) AS c WHERE type IS NOT NULL
  WITH type, c ORDER BY type
  RETURN collect({type: type, direction: 'in', count: c}) AS incoming
}
RETURN coalesce(n.id, elementId(n)) AS id, elementId(n) AS element_id, labels(n) AS labels,
       properties(n) AS props, outgoing + incoming AS degree;
