// NSX services and their entries in words (TCP dst 443...), and the known segment paths.
// Parameters: none.
MATCH (s:NsxService)
RETURN 'service' AS kind, s.path AS path, s.display_name AS name,
       coalesce(s.service_entries, []) AS entries
UNION ALL
MATCH (s:NsxSegment)
RETURN 'segment' AS kind, s.path AS path, s.display_name AS name, [] AS entries;
