// name: AD users with administrator control of a vCenter object
// description: Users (through any AD group nesting) that authmap found hold every privilege of the Admin role on a vSphere object.
MATCH p = (u:User)-[:MemberOf*0..]->(:Base)-[:VS_AdminTo]->(:VS_Entity)
RETURN p
LIMIT 1000
