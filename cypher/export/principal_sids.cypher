// The SIDs of the directory accounts $ids (BloodHound matches AD nodes by SID).
UNWIND $ids AS pid
MATCH (m:ADPrincipal {id: pid})
RETURN m.id AS id, m.sid AS sid;
