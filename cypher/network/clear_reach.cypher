// Remove the derived reachability edges (VM to VM) before they are derived again.
// Parameters: none.
MATCH (:VirtualMachine|NsxVirtualMachine)-[old:REACHES]->()
DELETE old
RETURN count(*) AS removed;
