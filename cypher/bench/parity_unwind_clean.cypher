// Benchmark baseline of parity: remove the rows it wrote, $limit at a time.
// Parameters: $limit.
MATCH (b:BenchParityRow)
WITH b LIMIT $limit
DETACH DELETE b
RETURN count(*) AS deleted;
