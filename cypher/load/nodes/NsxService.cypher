// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load NsxService nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:NsxService {id: row.id})
SET n:Source:NsxObject,
    n.nsx_id = row.nsx_id,
    n.path = row.path,
    n.display_name = row.display_name,
    n.description = row.description,
    n.system_owned = row.system_owned,
    n.tags = row.tags,
    n.service_entries = row.service_entries,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
