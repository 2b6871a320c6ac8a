// Store a new API token: only the SHA-256 of its secret is kept, never the secret.
// Parameters: $id, $name, $role, $team (or null), $hash, $expires_days (or null), $actor.
CREATE (t:ApiToken {id: $id, name: $name, role: $role, team: $team, hash: $hash,
  created_at: datetime(), created_by: $actor,
  expires_at: CASE WHEN $expires_days IS NULL THEN null
                   ELSE datetime() + duration({days: $expires_days}) END})
RETURN t.id AS id, t.name AS name, t.role AS role, t.team AS team,
       toString(t.created_at) AS created_at, toString(t.expires_at) AS expires_at;
