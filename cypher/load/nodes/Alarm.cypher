// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load Alarm nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:Alarm {id: row.id})
SET n:Source,
    n.moref = row.moref,
    n.name = row.name,
    n.system_name = row.system_name,
    n.description = row.description,
    n.enabled = row.enabled,
    n.watches = row.watches,
    n.all_triggers = row.all_triggers,
    n.triggers = row.triggers,
    n.actions = row.actions,
    n.trigger_texts = row.trigger_texts,
    n.action_texts = row.action_texts,
    n.email_recipients = row.email_recipients,
    n.snmp_trap = row.snmp_trap,
    n.scripts = row.scripts,
    n.action_frequency = row.action_frequency,
    n.reporting_frequency = row.reporting_frequency,
    n.tolerance_range = row.tolerance_range,
    n.last_modified_by = row.last_modified_by,
    n.last_modified_at = row.last_modified_at,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
