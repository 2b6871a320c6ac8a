// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Remove up to $limit PveRole nodes of $source_id not seen by $sync_run.
MATCH (n:PveRole {source_id: $source_id})
WHERE n.sync_run <> $sync_run
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS deleted;
