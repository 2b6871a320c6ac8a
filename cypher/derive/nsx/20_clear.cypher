// Remove the derived NSX edges (the dependency map and the VMs each rule governs) before
// they are derived again from the current graph. Parameters: none.
MATCH (:NsxObject)-[old:MAY_REACH|GOVERNS]->()
DELETE old
RETURN count(*) AS removed;
