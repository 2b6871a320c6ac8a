// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load Datastore nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:Datastore {id: row.id})
SET n:Source:VSphereEntity,
    n.moref = row.moref,
    n.name = row.name,
    n.type = row.type,
    n.url = row.url,
    n.capacity = row.capacity,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
