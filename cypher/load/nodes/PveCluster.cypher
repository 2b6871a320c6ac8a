// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load PveCluster nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:PveCluster {id: row.id})
SET n:Source:TargetObject:PveObject,
    n.name = row.name,
    n.server = row.server,
    n.version = row.version,
    n.release = row.release,
    n.quorate = row.quorate,
    n.node_count = row.node_count,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
