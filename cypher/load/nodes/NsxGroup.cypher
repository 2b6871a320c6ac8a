// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load NsxGroup nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:NsxGroup {id: row.id})
SET n:Source:NsxObject,
    n.nsx_id = row.nsx_id,
    n.path = row.path,
    n.display_name = row.display_name,
    n.description = row.description,
    n.system_owned = row.system_owned,
    n.tags = row.tags,
    n.domain = row.domain,
    n.criteria = row.criteria,
    n.expression = row.expression,
    n.ip_addresses = row.ip_addresses,
    n.members_from_nsx = row.members_from_nsx,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
