// Nodes a person names: a vSphere entity by name, a directory principal as vCenter names it
// (`CORP\alice`, case-insensitive), by UPN or by name, a team or a target platform by name.
// At most 6 (more than one is ambiguous). Parameters: $name.
CALL () {
  MATCH (n:VSphereEntity {name: $name}) RETURN n
  UNION
  MATCH (n:ADPrincipal {account_key: toLower($name)}) RETURN n
  UNION
  MATCH (n:ADPrincipal {upn_key: toLower($name)}) RETURN n
  UNION
  MATCH (n:ADUser {name: $name}) RETURN n
  UNION
  MATCH (n:ADGroup {name: $name}) RETURN n
  UNION
  MATCH (n:Team {name: $name}) RETURN n
  UNION
  MATCH (n:TargetPlatform {name: $name}) RETURN n
}
RETURN coalesce(n.id, elementId(n)) AS id,
       [l IN labels(n) WHERE NOT l IN ['Source', 'VSphereEntity', 'ADPrincipal', 'NsxObject']][0]
         AS kind
ORDER BY id LIMIT 6;
