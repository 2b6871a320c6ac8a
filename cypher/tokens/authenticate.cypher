// Whether any API token exists, and the stored token with id $id (or null). Parameters: $id.
OPTIONAL MATCH (t:ApiToken {id: $id})
RETURN COUNT { (:ApiToken) } AS tokens, t.name AS name, t.role AS role, t.team AS team,
       t.hash AS hash, t.revoked_at IS NOT NULL AS revoked,
       coalesce(t.expires_at <= datetime(), false) AS expired;
