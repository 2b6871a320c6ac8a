// Remove the permission-inheritance edges of the previous derive run; 20_parents rebuilds them
// from the current inventory (the edges hold nothing a person entered).
MATCH (:VSphereEntity)-[r:PERMISSION_PARENT]->()
WITH r LIMIT $limit
DELETE r
RETURN count(*) AS deleted;
