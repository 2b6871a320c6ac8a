// id: runbook-rot
// title: Runbooks that still speak vSphere and are not translated
// severity: medium
// workstream: runbook_translation
// description: These runbooks name constructs that exist only on the source platform (clusters, port groups, storage policies, datastores...) or use vSphere-only vocabulary (vCenter, vMotion, DRS, esxcli, PowerCLI, dvPortgroup, datastore paths). At the first incident on the target they send people to things that are not there.
// remediation: Rewrite the runbook for the target platform, execute it there once, and mark it with front matter "translated: true" (and "target_platform").
MATCH (rb:Runbook)
WHERE NOT coalesce(rb.translated, false)
  AND (size(rb.vsphere_terms) > 0 OR EXISTS { (rb)-[:REFERENCES]->() })
RETURN rb.id AS decision_id, 'runbook' AS category,
       rb.name + ' (' + rb.path + ') uses ' +
       reduce(s = '', t IN rb.vsphere_terms | s + CASE WHEN s = '' THEN '' ELSE ', ' END + t) +
       CASE WHEN size(rb.vsphere_terms) = 0 THEN 'no vSphere vocabulary' ELSE '' END +
       ' and names ' + COUNT { (rb)-[:REFERENCES]->() } + ' source object(s)' AS summary,
       rb.path AS path, rb.vsphere_terms AS vocabulary,
       COLLECT { MATCH (rb)-[:REFERENCES]->(o) RETURN o.name ORDER BY o.name } AS names
ORDER BY path;
MATCH (rb:Runbook)
RETURN count(rb) AS total;
MATCH (rb:Runbook)
WHERE NOT coalesce(rb.translated, false)
  AND (size(rb.vsphere_terms) > 0 OR EXISTS { (rb)-[:REFERENCES]->() })
OPTIONAL MATCH (rb)-[r:REFERENCES]->(o)
RETURN rb, r, o
LIMIT 500;
