// The NetBIOS names of the collected domains (to name accounts as vCenter does).
MATCH (d:ADDomain)
RETURN d.netbios_name AS netbios;
