// Revoke the active tokens whose id or name is $ref (kept, marked revoked: the node still
// counts as "tokens are configured"). Parameters: $ref, $actor.
MATCH (t:ApiToken)
WHERE (t.id = $ref OR t.name = $ref) AND t.revoked_at IS NULL
SET t.revoked_at = datetime(), t.revoked_by = $actor
RETURN t.id AS id, t.name AS name;
