// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load NsxSecurityPolicy nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:NsxSecurityPolicy {id: row.id})
SET n:Source:NsxObject,
    n.nsx_id = row.nsx_id,
    n.path = row.path,
    n.display_name = row.display_name,
    n.description = row.description,
    n.system_owned = row.system_owned,
    n.tags = row.tags,
    n.policy_type = row.policy_type,
    n.domain = row.domain,
    n.category = row.category,
    n.sequence_number = row.sequence_number,
    n.stateful = row.stateful,
    n.tcp_strict = row.tcp_strict,
    n.locked = row.locked,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
