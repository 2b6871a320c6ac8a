// Parity: the SPBM policy behind each storage-policy decision. Parameters: $ids (decision ids).
MATCH (d:Decision)-[:EVIDENCE]->(sp:StoragePolicy)
WHERE d.id IN $ids
RETURN d.id AS id, sp.name AS name, coalesce(sp.rules, []) AS rules;
