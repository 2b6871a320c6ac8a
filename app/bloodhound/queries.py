"""Saved Cypher for BloodHound CE's query library, walking from AD into vSphere.

The queries run in BloodHound, not in authmap's Neo4j, so they are not executed here: each is a
file under ``cypher/export/bloodhound/`` whose ``// name:`` and ``// description:`` header
lines name it. :func:`saved_queries` returns them in the JSON shape of BloodHound's saved
queries (``name``, ``description``, ``query``).
"""

from __future__ import annotations

from typing import Any

from app.graph.cypher_files import CypherLibrary

FOLDER = "export/bloodhound"


def saved_queries(library: CypherLibrary | None = None) -> list[dict[str, Any]]:
    """Every saved query, in file order."""
    library = library or CypherLibrary()
    out = []
    for name in library.names(FOLDER):
        header = library.header(name)
        body = [ln for ln in library.text(name).splitlines() if not ln.lstrip().startswith("//")]
        out.append(
            {
                "name": header["name"],
                "description": header.get("description", ""),
                "query": "\n".join(body).strip(),
            }
        )
    return out
