// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load PveRealm nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:PveRealm {id: row.id})
SET n:Source:TargetObject:PveObject,
    n.name = row.name,
    n.realm_type = row.realm_type,
    n.domain = row.domain,
    n.servers = row.servers,
    n.base_dn = row.base_dn,
    n.sync_options = row.sync_options,
    n.group_filter = row.group_filter,
    n.case_sensitive = row.case_sensitive,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
