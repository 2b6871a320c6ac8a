"""The graph access layer: the one place that runs Cypher (files in ``cypher/``) against Neo4j.

It knows nothing of vSphere, LDAP or NSX: only records, labels and relationship types.
"""

from app.graph.client import Graph, GraphError, GraphUnavailable, WriteStats
from app.graph.cypher_files import CypherLibrary

__all__ = ["CypherLibrary", "Graph", "GraphError", "GraphUnavailable", "WriteStats"]
