// Link every vCenter permission to the directory user or group its principal names, and
// classify the principal. Parameters: $aliases (map: upper-case alias -> NetBIOS or DNS name
// of a collected domain; may be empty).
//   DOMAIN\name       -> the account `name` in the domain whose NetBIOS or DNS name is DOMAIN
//   name@domain       -> the user with that UPN, else the account `name` in that domain
// principal_status:  resolved | disabled (a disabled user) | unresolved (the domain is
// collected but has no such account: a grant to a deleted or renamed account) | external
// (the domain is not collected, e.g. the vCenter SSO domain VSPHERE.LOCAL).
MATCH (p:Permission)
OPTIONAL MATCH (p)-[old:GRANTED_TO]->()
DELETE old
WITH DISTINCT p
WITH p,
     CASE WHEN p.principal CONTAINS '\\' THEN toUpper(split(p.principal, '\\')[0])
          WHEN p.principal CONTAINS '@' THEN toUpper(split(p.principal, '@')[1]) END AS dom,
     CASE WHEN p.principal CONTAINS '\\' THEN split(p.principal, '\\')[1]
          WHEN p.principal CONTAINS '@' THEN split(p.principal, '@')[0]
          ELSE p.principal END AS account
WITH p, account, coalesce($aliases[dom], dom) AS dom
OPTIONAL MATCH (d:ADDomain)
  WHERE toUpper(d.netbios_name) = dom OR toUpper(d.dns_name) = dom
WITH p, account, head(collect(d)) AS d
OPTIONAL MATCH (byName:ADPrincipal {account_key: toLower(d.netbios_name + '\\' + account)})
OPTIONAL MATCH (byUpn:ADPrincipal {upn_key: toLower(p.principal)}) WHERE byUpn:ADUser
WITH p, d, [x IN [byUpn, byName] WHERE x IS NOT NULL AND (x:ADGroup) = p.is_group] AS found
WITH p, d, head(found) AS target
FOREACH (_ IN CASE WHEN target IS NULL THEN [] ELSE [1] END |
  MERGE (p)-[:GRANTED_TO]->(target))
SET p.principal_domain = d.netbios_name,
    p.principal_status = CASE
      WHEN target IS NOT NULL AND target.enabled = false THEN 'disabled'
      WHEN target IS NOT NULL THEN 'resolved'
      WHEN d IS NULL THEN 'external'
      ELSE 'unresolved' END
RETURN p.principal_status AS status, count(*) AS count;
