// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load PveAlias nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:PveAlias {id: row.id})
SET n:Source:TargetObject:PveObject,
    n.name = row.name,
    n.cidr = row.cidr,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
