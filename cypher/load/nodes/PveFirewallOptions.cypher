// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load PveFirewallOptions nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:PveFirewallOptions {id: row.id})
SET n:Source:TargetObject:PveObject,
    n.scope = row.scope,
    n.enabled = row.enabled,
    n.policy_in = row.policy_in,
    n.policy_out = row.policy_out,
    n.policy_forward = row.policy_forward,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
