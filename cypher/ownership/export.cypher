// Every owned decision with its team, current enforcement and latest verification.
// No parameters.
MATCH (d:Decision)-[:ASSIGNED_TO]->(t:Team)
OPTIONAL MATCH (d)-[:ENFORCED_BY]->(e:Enforcement {current: true})
OPTIONAL MATCH (e)-[:VERIFIED_BY]->(v:Verification)
WITH d, t, e, v ORDER BY v.at DESC
WITH d, t, e, head(collect(v)) AS v
RETURN d.id AS id, d.summary AS summary, d.status AS state, d.ownership_status AS status,
       coalesce(d.version, 0) AS version, t.name AS team,
       CASE WHEN e IS NULL THEN null ELSE {platform: e.platform, reference: e.reference,
            kind: e.kind} END AS enforcement,
       CASE WHEN v IS NULL THEN null ELSE {method: v.method, result: v.result, by: v.by,
            at: toString(v.at)} END AS verification
ORDER BY id;
