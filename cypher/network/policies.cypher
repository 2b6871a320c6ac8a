// Security and gateway policies with their rules, for the network engine. Group, service and
// applied-to references are read through the loaded relationships (their targets' paths);
// counts of the references the rule names let the engine see one whose target is missing.
// Parameters: none.
MATCH (p:NsxSecurityPolicy)
RETURN p.path AS path, p.display_name AS name, p.category AS category,
       p.sequence_number AS sequence, p.policy_type AS policy_type,
       coalesce(p.system_owned, false) AS system_owned,
       COLLECT { MATCH (p)-[:APPLIED_TO]->(x) RETURN x.path } AS scope,
       COLLECT {
         MATCH (r:NsxRule)-[:IN_POLICY]->(p)
         RETURN r {
           .path, .display_name, .sequence_number, .action, .direction, .disabled, .rule_id,
           .source_any, .source_addresses, .sources_excluded,
           .destination_any, .destination_addresses, .destinations_excluded,
           .services_any, .service_entries,
           sources: COLLECT { MATCH (r)-[:SOURCE_GROUP]->(g) RETURN g.path },
           destinations: COLLECT { MATCH (r)-[:DESTINATION_GROUP]->(g) RETURN g.path },
           services: COLLECT { MATCH (r)-[:USES_SERVICE]->(s) RETURN s.path },
           scope: COLLECT { MATCH (r)-[:APPLIED_TO]->(x) RETURN x.path }
         } AS rule
       } AS rules
ORDER BY path;
