// Link each runbook to the source objects it names (clusters, port groups, switches, storage
// policies, datastores and datastore clusters, resource pools, hosts, custom roles), matched
// case-insensitively on names of 4 characters or more. No parameters.
MATCH (rb:Runbook)
OPTIONAL MATCH (rb)-[old:REFERENCES]->()
DELETE old
WITH DISTINCT rb, toLower(rb.text) AS text
CALL (rb, text) {
  MATCH (o:Cluster|Network|VirtualSwitch|StoragePolicy|Datastore|DatastoreCluster|ResourcePool|Host|Role)
  WHERE size(o.name) >= 4 AND NOT (o:ResourcePool AND o.name = 'Resources')
    AND NOT (o:Role AND o.system) AND text CONTAINS toLower(o.name)
  MERGE (rb)-[:REFERENCES]->(o)
  RETURN count(o) AS refs
}
SET rb.reference_count = refs
RETURN count(rb) AS runbooks, sum(refs) AS references;
