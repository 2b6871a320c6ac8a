// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Link PveIpSet -[IN_CLUSTER]-> PveCluster (node to target). Parameters: $rows (maps with from and to ids), $source_id, $sync_run.
UNWIND $rows AS row
OPTIONAL MATCH (a:PveIpSet {id: row.from})
OPTIONAL MATCH (b:PveCluster {id: row.to})
FOREACH (_ IN CASE WHEN a IS NULL OR b IS NULL THEN [] ELSE [1] END |
  MERGE (a)-[r:IN_CLUSTER]->(b)
  SET r.source_id = $source_id, r.sync_run = $sync_run)
WITH row, a IS NOT NULL AND b IS NOT NULL AS linked
RETURN count(CASE WHEN linked THEN 1 END) AS linked,
       collect(CASE WHEN NOT linked THEN row.to END)[..20] AS missing_sample,
       count(CASE WHEN NOT linked THEN 1 END) AS missing;
