// The labels and properties an existing full-text index covers (no row if it does not exist).
// Parameters: $name.
SHOW FULLTEXT INDEXES YIELD name, labelsOrTypes, properties
WHERE name = $name
RETURN labelsOrTypes AS labels, properties;
