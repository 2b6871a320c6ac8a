// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load VmOverride nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:VmOverride {id: row.id})
SET n:Source,
    n.override_type = row.override_type,
    n.drs_enabled = row.drs_enabled,
    n.drs_automation_level = row.drs_automation_level,
    n.ha_restart_priority = row.ha_restart_priority,
    n.ha_isolation_response = row.ha_isolation_response,
    n.ha_vm_monitoring = row.ha_vm_monitoring,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
