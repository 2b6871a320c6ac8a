// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Remove up to $limit IN_CLUSTER links of $source_id not seen by $sync_run.
MATCH (:PvePool)-[r:IN_CLUSTER]->(:PveCluster)
WHERE r.source_id = $source_id AND r.sync_run <> $sync_run
WITH r LIMIT $limit
DELETE r
RETURN count(*) AS deleted;
