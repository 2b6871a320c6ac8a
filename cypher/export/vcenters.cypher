// The vCenters of the graph, for the BloodHound export.
MATCH (v:VCenter)
RETURN v.id AS id, v.name AS name, v.instance_uuid AS instance_uuid
ORDER BY id;
