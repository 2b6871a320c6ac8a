// One hop of a neighbourhood: the relationships of the frontier nodes (element ids) and the
// nodes at their other end, only those with one of $labels when given; API tokens never.
// Parameters: $frontier (element ids), $labels (list or null), $limit (relationships).
UNWIND $frontier AS eid
MATCH (a) WHERE elementId(a) = eid
MATCH (a)-[r]-(b)
WHERE NOT b:ApiToken AND ($labels IS NULL OR any(l IN labels(b) WHERE l IN $labels))
WITH DISTINCT r, b LIMIT $limit
WITH r, b, startNode(r) AS s, endNode(r) AS e
RETURN elementId(r) AS id, type(r) AS type,
       coalesce(s.id, elementId(s)) AS source, coalesce(e.id, elementId(e)) AS target,
       elementId(b) AS element_id, coalesce(b.id, elementId(b)) AS node_id, labels(b) AS labels,
       properties(b) AS props;
