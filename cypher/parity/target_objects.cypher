// Parity: a target's nodes, namespaces, NADs and ResourceQuotas, one row each (nested fields
// are JSON text). Parameters: $source.
MATCH (x:K8sObject {source_id: $source})
WHERE x:K8sNode OR x:K8sNamespace OR x:K8sNetworkAttachmentDefinition OR x:K8sResourceQuota
RETURN CASE WHEN x:K8sNode THEN 'node' WHEN x:K8sNamespace THEN 'namespace'
            WHEN x:K8sResourceQuota THEN 'quota' ELSE 'nad' END AS type,
       x.id AS id, x.name AS name, x.namespace AS namespace, x.labels AS labels,
       x.vlan AS vlan, coalesce(x.vlan_trunk, []) AS vlan_trunk, x.cni_type AS cni_type,
       x.hard AS hard
ORDER BY type, x.id;
