// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load DrsRule nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:DrsRule {id: row.id})
SET n:Source,
    n.key = row.key,
    n.name = row.name,
    n.rule_type = row.rule_type,
    n.enabled = row.enabled,
    n.mandatory = row.mandatory,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
