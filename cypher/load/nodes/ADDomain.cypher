// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load ADDomain nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:ADDomain {id: row.id})
SET n:Source,
    n.sid = row.sid,
    n.netbios_name = row.netbios_name,
    n.dns_name = row.dns_name,
    n.dn = row.dn,
    n.name = row.name,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
