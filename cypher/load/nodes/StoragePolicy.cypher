// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load StoragePolicy nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:StoragePolicy {id: row.id})
SET n:Source,
    n.profile_id = row.profile_id,
    n.name = row.name,
    n.description = row.description,
    n.resource_type = row.resource_type,
    n.rules = row.rules,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
