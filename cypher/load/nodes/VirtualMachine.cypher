// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load VirtualMachine nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:VirtualMachine {id: row.id})
SET n:Source:VSphereEntity,
    n.cpu_reservation = row.cpu_reservation,
    n.cpu_limit = row.cpu_limit,
    n.cpu_shares_level = row.cpu_shares_level,
    n.cpu_shares = row.cpu_shares,
    n.cpu_expandable = row.cpu_expandable,
    n.mem_reservation = row.mem_reservation,
    n.mem_limit = row.mem_limit,
    n.mem_shares_level = row.mem_shares_level,
    n.mem_shares = row.mem_shares,
    n.mem_expandable = row.mem_expandable,
    n.moref = row.moref,
    n.name = row.name,
    n.instance_uuid = row.instance_uuid,
    n.bios_uuid = row.bios_uuid,
    n.power_state = row.power_state,
    n.guest_os = row.guest_os,
    n.template = row.template,
    n.annotation = row.annotation,
    n.custom_attributes = row.custom_attributes,
    n.mac_addresses = row.mac_addresses,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
