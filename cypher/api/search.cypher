// Full-text search of names over every named node kind (index `node_names`, see
// cypher/schema.cypher). Parameters: $query (Lucene syntax, built by the API from escaped user
// terms), $limit.
CALL db.index.fulltext.queryNodes('node_names', $query, {limit: $limit}) YIELD node, score
RETURN coalesce(node.id, elementId(node)) AS id,
       [l IN labels(node) WHERE NOT l IN ['Source', 'VSphereEntity', 'ADPrincipal', 'NsxObject']][0]
         AS kind,
       coalesce(node.name, node.display_name, node.principal) AS name, score
ORDER BY score DESC, name, id;
