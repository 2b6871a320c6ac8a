// name: Shortest paths from AD users to powering off a vSphere VM
// description: Attack paths from any user to a VS_CanPowerOff edge on a virtual machine.
MATCH p = shortestPath((u:User)-[*1..]->(vm:VS_VM))
WHERE ANY(r IN relationships(p) WHERE type(r) = 'VS_CanPowerOff')
RETURN p
LIMIT 1000
