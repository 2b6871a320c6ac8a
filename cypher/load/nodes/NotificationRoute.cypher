// GENERATED from app/graph/model.py by `authmap dev codegen`: do not edit.
// Load NotificationRoute nodes. Parameters: $rows (list of maps with id and the properties), $source_id, $sync_run.
UNWIND $rows AS row
MERGE (n:NotificationRoute {id: row.id})
SET n:Source,
    n.route_type = row.route_type,
    n.name = row.name,
    n.targets = row.targets,
    n.sender = row.sender,
    n.enabled = row.enabled,
    n.event_retention_days = row.event_retention_days,
    n.task_retention_days = row.task_retention_days,
    n.options = row.options,
    n.source_id = $source_id,
    n.sync_run = $sync_run
RETURN count(n) AS written;
