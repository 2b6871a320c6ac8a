// Day 180 of the readiness timeline: active decisions verified, whose current enforcement has
// a passing DR-drill verification (the governance model tested under failure). No parameters.
OPTIONAL MATCH (d:Decision {status: 'active', ownership_status: 'verified'})
WHERE EXISTS {
  (d)-[:ENFORCED_BY]->(:Enforcement {current: true})
     -[:VERIFIED_BY]->(:Verification {method: 'dr_drill', result: 'pass'})
}
RETURN count(d) AS drilled;
