// Parity: a target's role bindings with their role's rules and their subjects (JSON text).
// Parameters: $source.
MATCH (b:K8sObject {source_id: $source})
WHERE b:K8sRoleBinding OR b:K8sClusterRoleBinding
OPTIONAL MATCH (b)-[:BINDS_ROLE]->(role)
RETURN b.id AS id, CASE WHEN b:K8sRoleBinding THEN 'RoleBinding' ELSE 'ClusterRoleBinding' END
       AS kind, b.name AS name, b.namespace AS namespace, b.role_kind AS role_kind,
       b.role_name AS role_name, role.rules AS rules, b.subjects AS subjects
ORDER BY b.id;
