// How many VMs the alarm decisions affect, counted as links. No parameters.
MATCH (:Decision {kind: 'alarm'})-[a:AFFECTS]->()
RETURN count(a) AS links;
