"""The managed local Neo4j Community server behind ``authmap neo4j start|stop|status|env``.

It stands apart from the layers: nothing here imports the graph layer or the domain.
"""

from app.localneo4j.distribution import NEO4J_VERSION
from app.localneo4j.server import LocalNeo4j, Neo4jServerError, ServerStatus

__all__ = ["NEO4J_VERSION", "LocalNeo4j", "Neo4jServerError", "ServerStatus"]
