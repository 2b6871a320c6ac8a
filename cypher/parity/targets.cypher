// Parity: the targets in the graph (Kubernetes clusters and Proxmox VE clusters), with their
// platform. No parameters.
MATCH (c:K8sCluster)
RETURN c.id AS id, c.name AS name, c.server AS server, c.source_id AS source_id,
       c.git_version AS version, 'kubernetes' AS platform
UNION ALL
MATCH (c:PveCluster)
RETURN c.id AS id, c.name AS name, c.server AS server, c.source_id AS source_id,
       c.version AS version, 'proxmox' AS platform;
