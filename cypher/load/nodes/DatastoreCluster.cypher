// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load DatastoreCluster nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:DatastoreCluster {id: row.id})
SET n:Source:VSphereEntity,
    n.moref = row.moref,
    n.name = row.name,
    n.sdrs_enabled = row.sdrs_enabled,
    n.sdrs_automation_level = row.sdrs_automation_level,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
