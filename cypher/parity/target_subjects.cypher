// Parity: the subjects a target's bindings name. Parameters: $source.
MATCH (s:K8sSubject {source_id: $source})
RETURN s.subject_kind AS kind, s.name AS name, s.namespace AS namespace
ORDER BY s.id;
