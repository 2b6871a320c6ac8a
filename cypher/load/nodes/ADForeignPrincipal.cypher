// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load ADForeignPrincipal nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:ADForeignPrincipal {id: row.id})
SET n:Source:ADPrincipal,
    n.guid = row.guid,
    n.sid = row.sid,
    n.dn = row.dn,
    n.dn_key = row.dn_key,
    n.name = row.name,
    n.account_key = row.account_key,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
