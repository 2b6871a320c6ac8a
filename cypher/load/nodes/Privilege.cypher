// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load Privilege nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:Privilege {id: row.id})
SET n:Source,
    n.privilege_id = row.privilege_id,
    n.name = row.name,
    n.group = row.group,
    n.on_parent = row.on_parent,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
