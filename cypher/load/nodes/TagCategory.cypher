// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load TagCategory nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:TagCategory {id: row.id})
SET n:Source,
    n.category_id = row.category_id,
    n.name = row.name,
    n.description = row.description,
    n.cardinality = row.cardinality,
    n.associable_types = row.associable_types,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
