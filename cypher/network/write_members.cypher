// Derived group membership: (:NsxGroup)-[:HAS_MEMBER {source}]->(:VirtualMachine|NsxVirtualMachine),
// source 'nsx' (NSX's effective membership) or 'evaluated' (from the expression); and on the
// group its membership_status ('complete' or 'membership unknown: ...') and membership_source.
// Parameters: $rows (maps with path, source, status, members: VM ids), $run.
UNWIND $rows AS row
MATCH (g:NsxGroup {path: row.path})
SET g.membership_status = row.status, g.membership_source = row.source
WITH g, row
CALL (g, row) {
  UNWIND row.members AS id
  OPTIONAL MATCH (v:VirtualMachine {id: id})
  OPTIONAL MATCH (n:NsxVirtualMachine {id: id})
  WITH coalesce(v, n) AS vm WHERE vm IS NOT NULL
  MERGE (g)-[m:HAS_MEMBER]->(vm)
  SET m.source = row.source, m.derive_run = $run
  RETURN count(m) AS linked
}
RETURN sum(linked) AS members;
