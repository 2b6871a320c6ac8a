// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load StoragePolicyAssociation nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:StoragePolicyAssociation {id: row.id})
SET n:Source,
    n.object_type = row.object_type,
    n.disk_key = row.disk_key,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
