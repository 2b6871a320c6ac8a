// Parity: record one parity run of one target. Parameters: $run, $at, $target, $target_name,
// $counts_json, $target_only_json, $vm_mapping_json.
MERGE (r:ParityRun {id: $run})
SET r.at = datetime($at), r.target = $target, r.target_name = $target_name,
    r.counts_json = $counts_json, r.target_only_json = $target_only_json,
    r.vm_mapping_json = $vm_mapping_json
RETURN r.id AS run;
