// One decision with its evidence, blast radius (affected VMs), ownership, enforcements and
// verifications (newest first). Parameters: $id.
MATCH (d:Decision {id: $id})
OPTIONAL MATCH (d)-[:ASSIGNED_TO]->(t:Team)
RETURN d.id AS id, d.category AS category, d.kind AS kind, d.summary AS summary,
       d.status AS state,
       CASE WHEN d.status = 'retired' THEN 'retired'
            ELSE coalesce(d.ownership_status, 'unowned') END AS status,
       coalesce(d.ownership_status, 'unowned') AS ownership_status,
       t.name AS team, coalesce(d.version, 0) AS version,
       toString(d.first_seen) AS first_seen, toString(d.retired_at) AS retired_at,
       toString(d.accepted_at) AS accepted_at, d.accepted_by AS accepted_by,
       COLLECT { MATCH (d)-[:EVIDENCE]->(e)
                 RETURN {id: coalesce(e.id, elementId(e)),
                         kind: [l IN labels(e) WHERE NOT l IN
                                ['Source', 'VSphereEntity', 'ADPrincipal', 'NsxObject']][0],
                         name: coalesce(e.name, e.display_name, e.principal)}
                 ORDER BY e.id } AS evidence,
       COLLECT { MATCH (d)-[:AFFECTS]->(vm:VirtualMachine)
                 RETURN {id: vm.id, name: vm.name} ORDER BY vm.name, vm.id } AS affects,
       COLLECT { MATCH (d)-[:ENFORCED_BY]->(e:Enforcement)
                 RETURN {id: e.id, at: toString(e.at), by: e.by, platform: e.platform,
                         kind: e.kind, reference: e.reference, native: e.native,
                         current: e.current, note: e.note}
                 ORDER BY e.at DESC } AS enforcements,
       COLLECT { MATCH (d)-[:ENFORCED_BY]->(:Enforcement)-[:VERIFIED_BY]->(v:Verification)
                 RETURN {id: v.id, at: toString(v.at), by: v.by, method: v.method,
                         result: v.result, note: v.note}
                 ORDER BY v.at DESC } AS verifications;
