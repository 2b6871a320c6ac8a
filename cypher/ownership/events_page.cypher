// A page of the event log, newest first, with the total that match. Parameters:
// $decision_id, $actor, $since (ISO date-time): each null for any; $skip, $limit. With no
// match the one row has total 0 and a null id.
MATCH (ev:Event)
WHERE ($decision_id IS NULL OR ev.decision_id = $decision_id)
  AND ($actor IS NULL OR ev.actor = $actor)
  AND ($since IS NULL OR ev.at >= datetime($since))
WITH ev ORDER BY ev.at DESC, ev.version DESC
WITH collect(ev) AS events
WITH size(events) AS total, events[$skip..($skip + $limit)] AS page
UNWIND CASE WHEN page = [] THEN [null] ELSE page END AS ev
RETURN total, ev.id AS id, toString(ev.at) AS at, ev.actor AS actor, ev.action AS action,
       ev.decision_id AS decision_id, ev.before_status AS before_status,
       ev.after_status AS after_status, ev.before_owner AS before_owner,
       ev.after_owner AS after_owner, ev.detail AS detail, ev.note AS note,
       ev.version AS version;
