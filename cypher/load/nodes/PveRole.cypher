// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load PveRole nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:PveRole {id: row.id})
SET n:Source:TargetObject:PveObject,
    n.name = row.name,
    n.privileges = row.privileges,
    n.builtin = row.builtin,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
