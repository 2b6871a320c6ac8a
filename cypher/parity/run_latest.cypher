// Parity: the newest stored run on a target (null: on any), with what it found beyond the
// decisions; $authority true: the newest run that judged change authority (the only runs that
// look for target-only authority). Parameters: $target, $authority.
MATCH (r:ParityRun)
WHERE ($target IS NULL OR r.target = $target)
  AND (NOT $authority OR EXISTS {
    MATCH (p:ParityResult)-[:IN_RUN]->(r)
    MATCH (p)-[:PARITY_OF]->(:Decision {category: 'change_authority'})
  })
RETURN r.id AS run, toString(r.at) AS at, r.target AS target, r.target_name AS target_name,
       r.counts_json AS counts_json, r.target_only_json AS target_only_json,
       r.vm_mapping_json AS vm_mapping_json
ORDER BY r.at DESC
LIMIT 1;
