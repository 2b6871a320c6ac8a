// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load Tag nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:Tag {id: row.id})
SET n:Source,
    n.tag_id = row.tag_id,
    n.name = row.name,
    n.description = row.description,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
