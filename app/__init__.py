"""authmap: map the governance decisions a vSphere estate makes on its own.

Layers (each imports only the ones below it):

* ``app.cli`` and ``app.service`` — thin shells (command line, HTTP API);
* domain modules (decisions, ownership, effective permissions, audits);
* ``app.graph`` — runs the Cypher files in ``cypher/`` (batching, retries, schema);
* ``app.records`` and ``app.snapshot`` — typed records and the snapshot file format.

``app.localneo4j`` (the managed local Neo4j server) stands apart from the layers.
"""

__version__ = "0.1.0"
