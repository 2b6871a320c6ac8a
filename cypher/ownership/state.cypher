// The ownership state of one decision. Parameters: $decision_id.
MATCH (d:Decision {id: $decision_id})
OPTIONAL MATCH (d)-[:ASSIGNED_TO]->(t:Team)
OPTIONAL MATCH (d)-[:ENFORCED_BY]->(e:Enforcement {current: true})
RETURN d.id AS id, d.status AS state, coalesce(d.ownership_status, 'unowned') AS status,
       coalesce(d.version, 0) AS version, t.name AS team,
       e.platform AS enforcement_platform, e.reference AS enforcement_reference;
