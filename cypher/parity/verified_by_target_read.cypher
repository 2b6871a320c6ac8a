// Parity: of the given decisions, those verified whose current enforcement's newest
// verification was by target read. Parameters: $ids, $method.
MATCH (d:Decision {ownership_status: 'verified'})-[:ENFORCED_BY]->(e:Enforcement {current: true})
WHERE d.id IN $ids
MATCH (e)-[:VERIFIED_BY]->(v:Verification)
WITH d, v ORDER BY v.at DESC
WITH d, collect(v)[0] AS newest
WHERE newest.method = $method
RETURN d.id AS id;
