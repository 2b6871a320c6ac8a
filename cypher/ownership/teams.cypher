// Teams and target platforms. No parameters.
CALL () {
  MATCH (t:Team)
  RETURN 'team' AS type, t.name AS name, t.contact AS contact, t.directory_group AS detail
  UNION ALL
  MATCH (p:TargetPlatform)
  RETURN 'platform' AS type, p.name AS name, null AS contact, p.kind AS detail
}
RETURN type, name, contact, detail ORDER BY type, name;
