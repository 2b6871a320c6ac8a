// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load Runbook nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:Runbook {id: row.id})
SET n:Source,
    n.name = row.name,
    n.path = row.path,
    n.sha256 = row.sha256,
    n.translated = row.translated,
    n.target_platform = row.target_platform,
    n.vsphere_terms = row.vsphere_terms,
    n.text = row.text,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
