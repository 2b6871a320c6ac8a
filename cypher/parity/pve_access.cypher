// Parity: a Proxmox target's access configuration, one row per object: ACL entries, roles
// with their privileges, groups with their members, users with their tokens, pools with
// their guests and storages, realms. Parameters: $source.
MATCH (x:PveObject {source_id: $source})
WHERE x:PveAcl OR x:PveRole OR x:PveGroup OR x:PveUser OR x:PvePool OR x:PveRealm
RETURN CASE WHEN x:PveAcl THEN 'acl' WHEN x:PveRole THEN 'role' WHEN x:PveGroup THEN 'group'
            WHEN x:PveUser THEN 'user' WHEN x:PvePool THEN 'pool' ELSE 'realm' END AS type,
       x.id AS id, x.name AS name, x.path AS path, x.subject_type AS subject_type,
       x.subject AS subject, x.role_name AS role, coalesce(x.propagate, true) AS propagate,
       coalesce(x.privileges, []) AS privileges, coalesce(x.members, []) AS members,
       x.userid AS userid, coalesce(x.enabled, true) AS enabled,
       coalesce(x.tokens, []) AS tokens, coalesce(x.privsep_tokens, []) AS privsep_tokens,
       x.realm_type AS realm_type, x.domain AS domain,
       COLLECT { MATCH (g:PveGuest)-[:IN_POOL]->(x) RETURN g.vmid } AS pool_vmids,
       COLLECT { MATCH (x)-[:HOLDS_STORAGE]->(s:PveStorage) RETURN s.name } AS pool_storages
ORDER BY type, x.id;
