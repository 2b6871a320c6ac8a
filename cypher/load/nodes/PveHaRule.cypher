// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load PveHaRule nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:PveHaRule {id: row.id})
SET n:Source:TargetObject:PveObject,
    n.name = row.name,
    n.rule_type = row.rule_type,
    n.resources = row.resources,
    n.nodes = row.nodes,
    n.strict = row.strict,
    n.affinity = row.affinity,
    n.disabled = row.disabled,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
