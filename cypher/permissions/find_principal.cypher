// Directory principals a name given by a person may mean. $name as vCenter writes it
// (DOMAIN\account, account@domain, a UPN), or a node id; $dn_key a canonical DN (or null);
// $aliases maps upper-case domain aliases to a collected domain's NetBIOS or DNS name.
WITH $name AS name,
     CASE WHEN $name CONTAINS '\\' THEN toUpper(split($name, '\\')[0])
          WHEN $name CONTAINS '@' THEN toUpper(split($name, '@')[1]) END AS dom,
     CASE WHEN $name CONTAINS '\\' THEN split($name, '\\')[1]
          WHEN $name CONTAINS '@' THEN split($name, '@')[0]
          ELSE $name END AS account
WITH name, account, coalesce($aliases[dom], dom) AS dom
OPTIONAL MATCH (d:ADDomain)
  WHERE toUpper(d.netbios_name) = dom OR toUpper(d.dns_name) = dom
WITH name, account, head(collect(d)) AS d
OPTIONAL MATCH (byAccount:ADPrincipal {account_key: toLower(d.netbios_name + '\\' + account)})
OPTIONAL MATCH (byUpn:ADUser {upn_key: toLower(name)})
OPTIONAL MATCH (byId:ADPrincipal {id: name})
OPTIONAL MATCH (byDn:ADPrincipal {dn_key: $dn_key})
UNWIND [x IN [byAccount, byUpn, byId, byDn] WHERE x IS NOT NULL] AS p
WITH DISTINCT p
OPTIONAL MATCH (p)-[:IN_DOMAIN]->(pd:ADDomain)
RETURN p.id AS id,
       coalesce(pd.netbios_name + '\\' + p.sam_account_name, p.name) AS name,
       [l IN labels(p) WHERE l <> 'ADPrincipal' AND l <> 'Source'][0] AS kind,
       coalesce(p.enabled, true) AS enabled,
       p.dn AS dn
ORDER BY id;
