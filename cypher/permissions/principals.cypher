// Name, kind and state of the principals $ids.
UNWIND $ids AS pid
MATCH (m:ADPrincipal {id: pid})
OPTIONAL MATCH (m)-[:IN_DOMAIN]->(d:ADDomain)
RETURN m.id AS id,
       coalesce(d.netbios_name + '\\' + m.sam_account_name, m.name) AS name,
       [l IN labels(m) WHERE l <> 'ADPrincipal' AND l <> 'Source'][0] AS kind,
       coalesce(m.enabled, true) AS enabled;
