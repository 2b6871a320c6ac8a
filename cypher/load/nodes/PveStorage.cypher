// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load PveStorage nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:PveStorage {id: row.id})
SET n:Source:TargetObject:PveObject,
    n.name = row.name,
    n.storage_type = row.storage_type,
    n.content = row.content,
    n.shared = row.shared,
    n.pool_name = row.pool_name,
    n.disabled = row.disabled,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
