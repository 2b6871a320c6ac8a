// Runbooks: how many, and how many are translated for the target. No parameters.
OPTIONAL MATCH (rb:Runbook)
RETURN count(rb) AS total, count(CASE WHEN rb.translated THEN 1 END) AS translated;
