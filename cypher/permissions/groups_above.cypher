// Every group a principal belongs to, directly or through nested groups (and its primary
// group), with each one's direct parent groups: the caller finds the shortest chains.
MATCH (start:ADPrincipal {id: $id})
MATCH (start)-[:MEMBER_OF|HAS_PRIMARY_GROUP*0..]->(g:ADPrincipal)
WITH DISTINCT g
OPTIONAL MATCH (g)-[:IN_DOMAIN]->(d:ADDomain)
OPTIONAL MATCH (g)-[:MEMBER_OF|HAS_PRIMARY_GROUP]->(up:ADGroup)
RETURN g.id AS id,
       coalesce(d.netbios_name + '\\' + g.sam_account_name, g.name) AS name,
       collect(DISTINCT up.id) AS groups;
