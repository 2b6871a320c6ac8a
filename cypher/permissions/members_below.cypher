// The groups inside the groups $ids (nested at any depth, $ids included), each with its
// direct members (users, groups, computers; primary-group members too) as
// [id, account_key, sAMAccountName, name, kind, enabled]: the edges a who-can answer walks
// down. One row per group, and no per-member lookups, keeps this fast when a group has tens
// of thousands of members (the caller names members with the domains from `domains`).
UNWIND $ids AS gid
MATCH (:ADGroup {id: gid})<-[:MEMBER_OF|HAS_PRIMARY_GROUP*0..]-(g:ADGroup)
WITH DISTINCT g
RETURN g.id AS id,
       [(m:ADPrincipal)-[:MEMBER_OF|HAS_PRIMARY_GROUP]->(g) | [
          m.id, m.account_key, m.sam_account_name, m.name,
          CASE WHEN m:ADUser THEN 'ADUser' WHEN m:ADGroup THEN 'ADGroup'
               WHEN m:ADComputer THEN 'ADComputer' ELSE 'ADForeignPrincipal' END,
          coalesce(m.enabled, true)]] AS members;
