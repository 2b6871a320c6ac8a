// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load K8sResourceQuota nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:K8sResourceQuota {id: row.id})
SET n:Source:TargetObject:K8sObject,
    n.name = row.name,
    n.uid = row.uid,
    n.labels = row.labels,
    n.namespace = row.namespace,
    n.hard = row.hard,
    n.used = row.used,
    n.scopes = row.scopes,
    n.scope_selector = row.scope_selector,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
