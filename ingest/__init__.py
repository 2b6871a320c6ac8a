"""Collectors: one module per source. They produce records and know nothing of Neo4j."""
