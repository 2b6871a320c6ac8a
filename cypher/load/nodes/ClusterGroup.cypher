// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load ClusterGroup nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:ClusterGroup {id: row.id})
SET n:Source,
    n.name = row.name,
    n.group_type = row.group_type,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
