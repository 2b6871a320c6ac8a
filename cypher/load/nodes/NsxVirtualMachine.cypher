// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load NsxVirtualMachine nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:NsxVirtualMachine {id: row.id})
SET n:Source,
    n.external_id = row.external_id,
    n.display_name = row.display_name,
    n.power_state = row.power_state,
    n.tags = row.tags,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
