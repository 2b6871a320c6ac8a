// Parity: the DRS rule behind each placement decision, and for VM-host rules the names of the
// hosts of its host group. Parameters: $ids (decision ids).
MATCH (d:Decision)-[:EVIDENCE]->(r:DrsRule)
WHERE d.id IN $ids
OPTIONAL MATCH (r)-[:AFFINE_TO|ANTI_AFFINE_TO]->(hg:ClusterGroup)
RETURN d.id AS id, r.rule_type AS rule_type, coalesce(r.mandatory, false) AS mandatory,
       coalesce(r.enabled, true) AS enabled,
       EXISTS { (r)-[:ANTI_AFFINE_TO]->() } AS anti_host,
       hg.name AS host_group,
       COLLECT { MATCH (hg)-[:CONTAINS]->(h:Host) RETURN h.name ORDER BY h.name } AS hosts;
