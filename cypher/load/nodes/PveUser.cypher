// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load PveUser nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:PveUser {id: row.id})
SET n:Source:TargetObject:PveObject,
    n.userid = row.userid,
    n.enabled = row.enabled,
    n.expire = row.expire,
    n.tokens = row.tokens,
    n.privsep_tokens = row.privsep_tokens,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
