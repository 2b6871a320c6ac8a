// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load Cluster nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:Cluster {id: row.id})
SET n:Source:VSphereEntity,
    n.moref = row.moref,
    n.name = row.name,
    n.standalone = row.standalone,
    n.drs_enabled = row.drs_enabled,
    n.drs_automation_level = row.drs_automation_level,
    n.drs_migration_threshold = row.drs_migration_threshold,
    n.ha_enabled = row.ha_enabled,
    n.ha_host_monitoring = row.ha_host_monitoring,
    n.ha_vm_monitoring = row.ha_vm_monitoring,
    n.ha_admission_control_enabled = row.ha_admission_control_enabled,
    n.ha_admission_control_policy = row.ha_admission_control_policy,
    n.ha_admission_control_detail = row.ha_admission_control_detail,
    n.ha_restart_priority = row.ha_restart_priority,
    n.ha_isolation_response = row.ha_isolation_response,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
