// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load Permission nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:Permission {id: row.id})
SET n:Source,
    n.principal = row.principal,
    n.is_group = row.is_group,
    n.role_id = row.role_id,
    n.propagate = row.propagate,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
