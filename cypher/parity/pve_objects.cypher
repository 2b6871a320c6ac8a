// Parity: a Proxmox target's nodes, HA groups and rules, VNets and storages, one row each
// (nested fields are JSON text). Parameters: $source.
MATCH (x:PveObject {source_id: $source})
WHERE x:PveNode OR x:PveHaGroup OR x:PveHaRule OR x:PveVnet OR x:PveStorage
RETURN CASE WHEN x:PveNode THEN 'node' WHEN x:PveHaGroup THEN 'ha_group'
            WHEN x:PveHaRule THEN 'ha_rule' WHEN x:PveVnet THEN 'vnet' ELSE 'storage' END AS type,
       x.id AS id, x.name AS name, x.nodes AS nodes, coalesce(x.restricted, false) AS restricted,
       x.rule_type AS rule_type, x.strict AS strict, x.affinity AS affinity,
       coalesce(x.disabled, false) AS disabled, x.tag AS tag, x.storage_type AS storage_type,
       COLLECT { MATCH (x)-[:RULE_FOR]->(g:PveGuest) RETURN g.id ORDER BY g.id } AS guests
ORDER BY type, x.id;
