// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load K8sSubject nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:K8sSubject {id: row.id})
SET n:Source:TargetObject,
    n.subject_kind = row.subject_kind,
    n.name = row.name,
    n.namespace = row.namespace,
    n.name_key = row.name_key,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
