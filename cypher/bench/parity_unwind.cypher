// Benchmark baseline of parity: one UNWIND write of as many rows as were read.
// Parameters: $rows.
UNWIND $rows AS row
CREATE (b:BenchParityRow {id: row.id, name: row.name, serial: row.serial,
                          labels: row.labels, pod_affinity: row.pod_affinity})
RETURN count(b) AS written;
