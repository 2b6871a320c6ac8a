// Every API token (never the hash). No parameters.
MATCH (t:ApiToken)
RETURN t.id AS id, t.name AS name, t.role AS role, t.team AS team,
       toString(t.created_at) AS created_at, t.created_by AS created_by,
       toString(t.expires_at) AS expires_at, toString(t.revoked_at) AS revoked_at,
       t.revoked_by AS revoked_by,
       t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > datetime()) AS active
ORDER BY t.name, t.created_at;
