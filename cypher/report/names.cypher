// Display names for everything the report lists: each active decision is named by the source
// objects it comes from (its evidence names, at most three, joined by ' · '; its summary when
// it has none), each VM by its name. No parameters.
MATCH (d:Decision {status: 'active'})
WITH d, coalesce(d.evidence_names, []) AS names
RETURN d.id AS id,
       CASE WHEN size(names) = 0 THEN d.summary
            ELSE reduce(s = '', n IN names[0..3] | s + CASE WHEN s = '' THEN '' ELSE ' · ' END + n) +
                 CASE WHEN size(names) > 3 THEN ' (+' + toString(size(names) - 3) + ' more)' ELSE '' END
       END AS name
UNION ALL
MATCH (vm:VirtualMachine)
RETURN vm.id AS id, vm.name AS name;
