// Wait until the full-text index of names is online (after it was recreated). No parameters.
CALL db.awaitIndex('node_names', 300);
