// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load VirtualMachine nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:VirtualMachine {id: row.id})
SET n:Source:VSphereEntity,
    n.moref = row.moref,
    n.name = row.name,
    n.instance_uuid = row.instance_uuid,
    n.bios_uuid = row.bios_uuid,
    n.power_state = row.power_state,
    n.guest_os = row.guest_os,
    n.template = row.template,
    n.annotation = row.annotation,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
