// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load PveNode nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:PveNode {id: row.id})
SET n:Source:TargetObject:PveObject,
    n.name = row.name,
    n.online = row.online,
    n.ip = row.ip,
    n.max_cpu = row.max_cpu,
    n.max_mem_bytes = row.max_mem_bytes,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
