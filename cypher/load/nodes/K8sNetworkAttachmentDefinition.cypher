// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load K8sNetworkAttachmentDefinition nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:K8sNetworkAttachmentDefinition {id: row.id})
SET n:Source:TargetObject:K8sObject,
    n.name = row.name,
    n.uid = row.uid,
    n.labels = row.labels,
    n.namespace = row.namespace,
    n.cni_type = row.cni_type,
    n.plugins = row.plugins,
    n.vlan = row.vlan,
    n.vlan_trunk = row.vlan_trunk,
    n.topology = row.topology,
    n.network_name = row.network_name,
    n.bridge = row.bridge,
    n.master = row.master,
    n.ipam_type = row.ipam_type,
    n.resource_name = row.resource_name,
    n.config_error = row.config_error,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
