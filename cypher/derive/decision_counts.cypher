// Decisions per category and status. No parameters.
MATCH (d:Decision)
RETURN d.category AS category, d.status AS status, count(*) AS count
ORDER BY category, status;
