// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load K8sNetworkPolicy nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:K8sNetworkPolicy {id: row.id})
SET n:Source:TargetObject:K8sObject,
    n.name = row.name,
    n.uid = row.uid,
    n.labels = row.labels,
    n.namespace = row.namespace,
    n.pod_selector = row.pod_selector,
    n.policy_types = row.policy_types,
    n.ingress = row.ingress,
    n.egress = row.egress,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
