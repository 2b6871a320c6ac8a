// Every SID of the collected directory (domains and accounts): what an exported edge may
// point at with match_by id.
MATCH (n)
WHERE (n:ADPrincipal OR n:ADDomain) AND n.sid IS NOT NULL
RETURN collect(n.sid) AS sids;
