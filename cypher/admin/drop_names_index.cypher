// Drop the full-text index of names, so that `db init` can recreate it over the node kinds
// the model has now (CREATE ... IF NOT EXISTS keeps an index that exists, whatever it covers).
// No parameters.
DROP INDEX node_names IF EXISTS;
