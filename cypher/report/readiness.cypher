// Day-90 readiness per category: active decisions inventoried, owned (accepted or later),
// enforced (enforced or verified) and verified. No parameters.
MATCH (d:Decision {status: 'active'})
WITH d.category AS category, coalesce(d.ownership_status, 'unowned') AS s
RETURN category, count(*) AS inventoried,
       sum(CASE WHEN s IN ['accepted', 'enforced', 'verified'] THEN 1 ELSE 0 END) AS owned,
       sum(CASE WHEN s IN ['enforced', 'verified'] THEN 1 ELSE 0 END) AS enforced,
       sum(CASE WHEN s = 'verified' THEN 1 ELSE 0 END) AS verified
ORDER BY category;
