// Principals named by permissions but not linked to a collected directory account
// (other domains such as VSPHERE.LOCAL, or deleted accounts), matched case-insensitively.
MATCH (p:Permission)
WHERE toLower(p.principal) = toLower($name) AND NOT EXISTS { (p)-[:GRANTED_TO]->() }
RETURN p.principal AS name, p.is_group AS is_group, p.principal_status AS status
ORDER BY name
LIMIT 1;
