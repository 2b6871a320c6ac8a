// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load Role nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:Role {id: row.id})
SET n:Source,
    n.role_id = row.role_id,
    n.name = row.name,
    n.system = row.system,
    n.label = row.label,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
