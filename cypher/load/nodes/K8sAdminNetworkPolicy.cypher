// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load K8sAdminNetworkPolicy nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:K8sAdminNetworkPolicy {id: row.id})
SET n:Source:TargetObject:K8sObject,
    n.name = row.name,
    n.uid = row.uid,
    n.labels = row.labels,
    n.baseline = row.baseline,
    n.priority = row.priority,
    n.subject_namespaces = row.subject_namespaces,
    n.subject_pod_namespaces = row.subject_pod_namespaces,
    n.subject_pods = row.subject_pods,
    n.rules = row.rules,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
