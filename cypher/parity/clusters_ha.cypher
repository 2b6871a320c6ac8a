// Parity: the cluster behind each HA decision. Parameters: $ids (decision ids).
MATCH (d:Decision)-[:EVIDENCE]->(c:Cluster)
WHERE d.id IN $ids
RETURN d.id AS id, c.name AS name,
       coalesce(c.ha_admission_control_enabled, false) AS admission_control;
