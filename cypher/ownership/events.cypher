// The event log, newest first. Parameters: $decision_id (or null), $actor (or null), $limit.
MATCH (ev:Event)
WHERE ($decision_id IS NULL OR ev.decision_id = $decision_id)
  AND ($actor IS NULL OR ev.actor = $actor)
RETURN ev.id AS id, toString(ev.at) AS at, ev.actor AS actor, ev.action AS action,
       ev.decision_id AS decision_id, ev.before_status AS before_status,
       ev.after_status AS after_status, ev.before_owner AS before_owner,
       ev.after_owner AS after_owner, ev.detail AS detail, ev.note AS note,
       ev.version AS version
ORDER BY ev.at DESC, ev.version DESC
LIMIT $limit;
