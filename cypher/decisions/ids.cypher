// Every decision id (to resolve the short ids `authmap decisions list` shows). No parameters.
MATCH (d:Decision)
RETURN d.id AS id;
