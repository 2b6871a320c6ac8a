// Create or update a target platform. Parameters: $name, $kind, $actor.
MERGE (p:TargetPlatform {name: $name})
ON CREATE SET p.created_at = datetime(), p.created_by = $actor
SET p.kind = $kind
RETURN p.name AS name, p.kind AS kind;
