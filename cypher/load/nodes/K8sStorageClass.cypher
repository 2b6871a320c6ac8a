// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load K8sStorageClass nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:K8sStorageClass {id: row.id})
SET n:Source:TargetObject:K8sObject,
    n.name = row.name,
    n.uid = row.uid,
    n.labels = row.labels,
    n.provisioner = row.provisioner,
    n.parameters = row.parameters,
    n.reclaim_policy = row.reclaim_policy,
    n.volume_binding_mode = row.volume_binding_mode,
    n.allow_volume_expansion = row.allow_volume_expansion,
    n.is_default = row.is_default,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
