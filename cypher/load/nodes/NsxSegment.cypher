// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load NsxSegment nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:NsxSegment {id: row.id})
SET n:Source:NsxObject,
    n.nsx_id = row.nsx_id,
    n.path = row.path,
    n.display_name = row.display_name,
    n.description = row.description,
    n.system_owned = row.system_owned,
    n.tags = row.tags,
    n.segment_type = row.segment_type,
    n.transport_zone_path = row.transport_zone_path,
    n.admin_state = row.admin_state,
    n.subnets = row.subnets,
    n.gateway_addresses = row.gateway_addresses,
    n.vlan_ids = row.vlan_ids,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
