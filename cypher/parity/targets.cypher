// Parity: the Kubernetes targets in the graph. No parameters.
MATCH (c:K8sCluster)
RETURN c.id AS id, c.name AS name, c.server AS server, c.source_id AS source_id,
       c.git_version AS version
ORDER BY c.name;
