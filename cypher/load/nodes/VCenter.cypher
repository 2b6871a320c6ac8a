// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load VCenter nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:VCenter {id: row.id})
SET n:Source,
    n.name = row.name,
    n.instance_uuid = row.instance_uuid,
    n.version = row.version,
    n.build = row.build,
    n.api_version = row.api_version,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
