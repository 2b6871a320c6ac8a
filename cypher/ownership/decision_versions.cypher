// Which of the given decision ids exist, with their ownership state. Parameters: $ids.
UNWIND $ids AS id
OPTIONAL MATCH (d:Decision {id: id})
RETURN id, d IS NOT NULL AS exists, coalesce(d.version, 0) AS version;
