// The shortest path between two nodes (element ids), ignoring direction, through
// relationships of the types in $types (any type when null), at most $max hops (1..15).
// SHORTEST with the type test inside the quantified relationship keeps the search a bounded
// breadth-first one (shortestPath() with a path predicate may fall back to an exhaustive one).
// Parameters: $from, $to, $types, $max.
MATCH (a) WHERE elementId(a) = $from
MATCH (b) WHERE elementId(b) = $to
MATCH p = SHORTEST 1 (a)-[r WHERE $types IS NULL OR type(r) IN $types]-{1,15}(b)
WITH p WHERE length(p) <= $max
RETURN [x IN nodes(p) | {id: coalesce(x.id, elementId(x)), labels: labels(x),
                         props: properties(x)}] AS nodes,
       [r IN relationships(p) | {id: elementId(r), type: type(r),
          source: coalesce(startNode(r).id, elementId(startNode(r))),
          target: coalesce(endNode(r).id, elementId(endNode(r)))}] AS edges;
