// Mark the entities that cannot carry permissions of their own and always inherit their
// parent's (vSphere Security guide): a datacenter's hidden root folders (vm, host, datastore,
// network), a cluster's or standalone compute resource's root resource pool, and the host of a
// standalone compute resource (its permissions are set on the compute resource).
MATCH (e:VSphereEntity)
WITH e,
     (e:Folder AND EXISTS { (e)-[:CHILD_OF]->(:Datacenter) })
     OR (e:ResourcePool AND EXISTS { (e)-[:CHILD_OF]->(:Cluster) })
     OR (e:Host AND EXISTS { (e)-[:IN_CLUSTER]->(:Cluster {standalone: true}) }) AS hidden
SET e.permission_holder = NOT hidden
RETURN count(CASE WHEN hidden THEN 1 END) AS hidden, count(e) AS entities;
