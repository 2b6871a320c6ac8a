// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load PveFirewallRule nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:PveFirewallRule {id: row.id})
SET n:Source:TargetObject:PveObject,
    n.scope = row.scope,
    n.pos = row.pos,
    n.direction = row.direction,
    n.action = row.action,
    n.enabled = row.enabled,
    n.source = row.source,
    n.dest = row.dest,
    n.proto = row.proto,
    n.dport = row.dport,
    n.sport = row.sport,
    n.macro = row.macro,
    n.iface = row.iface,
    n.comment = row.comment,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
