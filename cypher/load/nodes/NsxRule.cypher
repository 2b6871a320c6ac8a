// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load NsxRule nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:NsxRule {id: row.id})
SET n:Source:NsxObject,
    n.nsx_id = row.nsx_id,
    n.path = row.path,
    n.display_name = row.display_name,
    n.description = row.description,
    n.system_owned = row.system_owned,
    n.tags = row.tags,
    n.rule_id = row.rule_id,
    n.sequence_number = row.sequence_number,
    n.action = row.action,
    n.direction = row.direction,
    n.ip_protocol = row.ip_protocol,
    n.disabled = row.disabled,
    n.logged = row.logged,
    n.notes = row.notes,
    n.log_label = row.log_label,
    n.source_any = row.source_any,
    n.source_addresses = row.source_addresses,
    n.sources_excluded = row.sources_excluded,
    n.destination_any = row.destination_any,
    n.destination_addresses = row.destination_addresses,
    n.destinations_excluded = row.destinations_excluded,
    n.services_any = row.services_any,
    n.service_entries = row.service_entries,
    n.profiles = row.profiles,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
