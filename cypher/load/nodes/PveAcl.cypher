// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load PveAcl nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:PveAcl {id: row.id})
SET n:Source:TargetObject:PveObject,
    n.path = row.path,
    n.subject_type = row.subject_type,
    n.subject = row.subject,
    n.role_name = row.role_name,
    n.propagate = row.propagate,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
