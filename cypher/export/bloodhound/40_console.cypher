// name: Console access to vSphere VMs from AD
// description: AD principals (and their nested members) with VirtualMachine.Interact.ConsoleInteract on a VM.
MATCH p = (u:User)-[:MemberOf*0..]->(:Base)-[:VS_CanConsole]->(vm:VS_VM)
RETURN p
LIMIT 1000
