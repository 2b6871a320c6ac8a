// Parity: a target's nodes, namespaces, NADs, ResourceQuotas, PriorityClasses and
// StorageClasses, one row each (nested fields are JSON text). Parameters: $source.
MATCH (x:K8sObject {source_id: $source})
WHERE x:K8sNode OR x:K8sNamespace OR x:K8sNetworkAttachmentDefinition OR x:K8sResourceQuota
   OR x:K8sPriorityClass OR x:K8sStorageClass
RETURN CASE WHEN x:K8sNode THEN 'node' WHEN x:K8sNamespace THEN 'namespace'
            WHEN x:K8sResourceQuota THEN 'quota' WHEN x:K8sPriorityClass THEN 'priority_class'
            WHEN x:K8sStorageClass THEN 'storage_class' ELSE 'nad' END AS type,
       x.id AS id, x.name AS name, x.namespace AS namespace, x.labels AS labels,
       x.vlan AS vlan, coalesce(x.vlan_trunk, []) AS vlan_trunk, x.cni_type AS cni_type,
       x.hard AS hard, x.value AS value, coalesce(x.global_default, false) AS global_default,
       x.provisioner AS provisioner, x.parameters AS parameters
ORDER BY type, x.id;
