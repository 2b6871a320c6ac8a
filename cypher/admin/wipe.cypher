// Delete up to $limit nodes of ANY kind, human data included (used by `authmap db reset --yes`
// and by tests). Parameters: $limit.
MATCH (n)
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS deleted;
