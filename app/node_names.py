"""Nodes by name: what the API's path (and any caller that takes a node) accepts besides ids.

A person knows ``web-01`` and ``CORP\\alice``, not ``ad:<objectGUID>``: :func:`node_ref` turns a
name into the node's id when exactly one node has it, and leaves an id (or a name nobody has)
as it is, for the caller's own "no node" answer.
"""

from __future__ import annotations

from app.graph import Graph


class AmbiguousNodeName(ValueError):
    """Several nodes have the name: the caller must give an id."""


def node_ref(graph: Graph, ref: str) -> str:
    """The id of the one node named ``ref`` (a vSphere entity's name, ``DOMAIN\\name``, a UPN, a
    user's, group's, team's or platform's name), or ``ref`` itself when no node has that name
    or a node has it as id. Raises :class:`AmbiguousNodeName` when several have it."""
    rows = graph.read("api/node_by_name", {"name": ref})
    ids = [str(r["id"]) for r in rows]
    if len(ids) <= 1 or ref in ids:
        return ids[0] if len(ids) == 1 else ref
    listed = ", ".join(f"{r['kind']} {r['id']}" for r in rows[:5])
    raise AmbiguousNodeName(f"{len(ids)} nodes are named {ref}: {listed}; give an id")
