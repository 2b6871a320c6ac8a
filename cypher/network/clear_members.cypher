// Remove the derived group memberships before they are derived again. Parameters: none.
MATCH (:NsxGroup)-[old:HAS_MEMBER]->()
DELETE old
RETURN count(*) AS removed;
