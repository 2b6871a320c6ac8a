// name: vsphere.local principals and what they control
// description: Principals of the uncollected vsphere.local domain with derived control of vSphere objects.
MATCH p = (n:VS_Principal)-[r]->(e:VS_Entity)
WHERE type(r) IN ['VS_AdminTo', 'VS_CanModifyPermissions', 'VS_CanPowerOff', 'VS_CanConsole', 'VS_CanReconfigure']
RETURN p
LIMIT 1000
