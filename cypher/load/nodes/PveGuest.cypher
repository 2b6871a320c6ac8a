// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load PveGuest nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:PveGuest {id: row.id})
SET n:Source:TargetObject:PveObject,
    n.vmid = row.vmid,
    n.guest_type = row.guest_type,
    n.name = row.name,
    n.status = row.status,
    n.template = row.template,
    n.smbios_uuid = row.smbios_uuid,
    n.macs = row.macs,
    n.nics = row.nics,
    n.disks = row.disks,
    n.cores = row.cores,
    n.sockets = row.sockets,
    n.memory_mib = row.memory_mib,
    n.balloon_mib = row.balloon_mib,
    n.cpulimit = row.cpulimit,
    n.cpuunits = row.cpuunits,
    n.tags = row.tags,
    n.onboot = row.onboot,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
