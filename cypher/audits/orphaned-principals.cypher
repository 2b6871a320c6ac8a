// id: orphaned-principals
// title: Permissions granted to principals missing from the directory, or to disabled users
// severity: medium
// workstream: governance_inventory
// description: vCenter still grants rights to accounts the collected directory does not know (deleted or renamed) or that are disabled. Such grants are either dead weight or a door nobody watches, and they cannot be mapped to the target's RBAC.
// remediation: Remove the grant in vCenter, or map it to the account that replaced it before re-creating access on the target. Principals of domains not collected (e.g. VSPHERE.LOCAL) are not reported.
MATCH (d:Decision {status: 'active', kind: 'permission'})-[:EVIDENCE]->(p:Permission)
WHERE p.principal_status IN ['unresolved', 'disabled']
RETURN d.id AS decision_id, d.category AS category, d.kind AS kind, d.summary AS summary,
       p.principal AS principal, p.principal_status AS principal_status,
       coalesce(d.ownership_status, 'unowned') AS status
ORDER BY principal, decision_id;
MATCH (d:Decision {status: 'active', kind: 'permission'})-[:EVIDENCE]->(p:Permission)
WHERE p.principal_status IN ['resolved', 'unresolved', 'disabled']
RETURN count(d) AS total;
MATCH (d:Decision {status: 'active', kind: 'permission'})-[r:EVIDENCE]->(p:Permission)
WHERE p.principal_status IN ['unresolved', 'disabled']
OPTIONAL MATCH (p)-[o:ON_ENTITY]->(e)
RETURN d, r, p, o, e
LIMIT 500;
