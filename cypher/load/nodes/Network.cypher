// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load Network nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:Network {id: row.id})
SET n:Source:VSphereEntity,
    n.moref = row.moref,
    n.name = row.name,
    n.network_type = row.network_type,
    n.vlan_id = row.vlan_id,
    n.vlan_trunk = row.vlan_trunk,
    n.pvlan_id = row.pvlan_id,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
