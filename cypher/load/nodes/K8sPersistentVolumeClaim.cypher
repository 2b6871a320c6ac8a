// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load K8sPersistentVolumeClaim nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:K8sPersistentVolumeClaim {id: row.id})
SET n:Source:TargetObject:K8sObject,
    n.name = row.name,
    n.uid = row.uid,
    n.labels = row.labels,
    n.namespace = row.namespace,
    n.storage_class_name = row.storage_class_name,
    n.access_modes = row.access_modes,
    n.volume_mode = row.volume_mode,
    n.requested_storage = row.requested_storage,
    n.requested_bytes = row.requested_bytes,
    n.volume_name = row.volume_name,
    n.phase = row.phase,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
