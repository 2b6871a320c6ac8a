// Create or update a team. Parameters: $name, $contact, $directory_group, $actor.
MERGE (t:Team {name: $name})
ON CREATE SET t.created_at = datetime(), t.created_by = $actor
SET t.contact = $contact, t.directory_group = $directory_group
RETURN t.name AS name, t.contact AS contact, t.directory_group AS directory_group;
