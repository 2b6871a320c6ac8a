// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load K8sCluster nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:K8sCluster {id: row.id})
SET n:Source:TargetObject,
    n.name = row.name,
    n.server = row.server,
    n.kube_system_uid = row.kube_system_uid,
    n.git_version = row.git_version,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
