// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load PveHaResource nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:PveHaResource {id: row.id})
SET n:Source:TargetObject:PveObject,
    n.sid = row.sid,
    n.state = row.state,
    n.max_restart = row.max_restart,
    n.max_relocate = row.max_relocate,
    n.failback = row.failback,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
