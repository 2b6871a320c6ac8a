// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load K8sNode nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:K8sNode {id: row.id})
SET n:Source:TargetObject:K8sObject,
    n.name = row.name,
    n.uid = row.uid,
    n.labels = row.labels,
    n.hostname = row.hostname,
    n.taints = row.taints,
    n.unschedulable = row.unschedulable,
    n.system_uuid = row.system_uuid,
    n.kubelet_version = row.kubelet_version,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
