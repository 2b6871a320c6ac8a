"""Graph neighbourhoods, the read path behind the viewer: a node by its API id, what lies within
a few hops of it, the shortest path between two nodes, and the nodes and relationships a
statement returns (an audit's graph query). The API's graph and audit routes call these; the
statements are in ``cypher/api/``.

A node's API id is its ``id`` property (every source node, decision and event has one), else
its Neo4j element id; both are accepted wherever an id is asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from neo4j.graph import Node, Relationship

from app.graph import Graph

HIDDEN_LABELS = frozenset({"ApiToken"})
"""Nodes never returned (the API tokens' hashes live on them)."""


class NodeNotFound(LookupError):
    """No node has this API id."""


class NoPath(LookupError):
    """No path joins the two nodes within the hops allowed."""


@dataclass(frozen=True)
class GraphNode:
    """A node as a viewer draws it: API id, element id, labels and raw properties."""

    id: str
    element_id: str
    labels: list[str]
    props: dict[str, Any]


@dataclass(frozen=True)
class GraphEdge:
    """A relationship between two nodes (``source`` and ``target`` are API ids)."""

    id: str
    source: str
    target: str
    type: str


@dataclass
class Subgraph:
    """Nodes and edges; ``truncated`` when a limit cut the answer short."""

    nodes: list[GraphNode] = field(default_factory=list)
    edges: list[GraphEdge] = field(default_factory=list)
    truncated: bool = False


def label_counts(graph: Graph) -> dict[str, int]:
    """How many nodes carry each label (API tokens left out)."""
    counts = {r["label"]: r["count"] for r in graph.read("admin/label_counts")}
    counts.pop("ApiToken", None)
    return counts


def search(graph: Graph, lucene: str, limit: int) -> list[dict[str, Any]]:
    """Nodes whose names match the full-text query ``lucene`` (already escaped): ``{id, kind,
    name, score}``, best first."""
    return graph.read("api/search", {"query": lucene, "limit": limit})


def node_detail(graph: Graph, node_id: str) -> tuple[GraphNode, list[dict[str, Any]]]:
    """The node and its degree by relationship type and direction (``{type, direction,
    count}``); raises :class:`NodeNotFound`."""
    rows = graph.read("api/node", {"id": node_id})
    if not rows:
        raise NodeNotFound(f"no node {node_id!r}")
    row = rows[0]
    return GraphNode(row["id"], row["element_id"], row["labels"], row["props"]), row["degree"]


def find_node(graph: Graph, node_id: str) -> GraphNode:
    """The node with this API id (raises :class:`NodeNotFound`)."""
    return node_detail(graph, node_id)[0]


def neighbourhood(
    graph: Graph, node_id: str, *, depth: int = 1, limit: int = 200, labels: list[str] | None = None
) -> Subgraph:
    """The node and what lies within ``depth`` hops (either direction), breadth first, at most
    ``limit`` nodes; with ``labels`` only neighbours carrying one of them. The centre is the
    first node. Raises :class:`NodeNotFound`."""
    centre = find_node(graph, node_id)
    nodes = {centre.id: centre}
    edges: dict[str, GraphEdge] = {}
    frontier, truncated = [centre.element_id], False
    for _hop in range(depth):
        if not frontier:
            break
        rows = graph.read(
            "api/neighbours", {"frontier": frontier, "labels": labels, "limit": limit * 5}
        )
        truncated = truncated or len(rows) >= limit * 5
        frontier = []
        for row in rows:
            if row["node_id"] not in nodes:
                if len(nodes) >= limit:
                    truncated = True
                    continue
                nodes[row["node_id"]] = GraphNode(
                    row["node_id"], row["element_id"], row["labels"], row["props"]
                )
                frontier.append(row["element_id"])
            if row["source"] in nodes and row["target"] in nodes:
                edges[row["id"]] = GraphEdge(row["id"], row["source"], row["target"], row["type"])
    return Subgraph(list(nodes.values()), list(edges.values()), truncated)


def shortest_path(
    graph: Graph, from_id: str, to_id: str, *, max_hops: int = 8, types: list[str] | None = None
) -> Subgraph:
    """The shortest path between two nodes, ignoring direction, through relationships of
    ``types`` (any when None). Raises :class:`NodeNotFound` or :class:`NoPath`."""
    start, end = find_node(graph, from_id), find_node(graph, to_id)
    if start.element_id == end.element_id:
        return Subgraph([start])
    rows = graph.read(
        "api/path",
        {"from": start.element_id, "to": end.element_id, "types": types, "max": max_hops},
    )
    if not rows:
        raise NoPath(f"no path from {from_id!r} to {to_id!r} within {max_hops} hops")
    return Subgraph(
        [GraphNode(n["id"], "", n["labels"], n["props"]) for n in rows[0]["nodes"]],
        [GraphEdge(**e) for e in rows[0]["edges"]],
    )


def _api_id(node: Node) -> str:
    value = node.get("id")
    return value if isinstance(value, str) else node.element_id


def elements_subgraph(nodes: list[Node], relationships: list[Relationship]) -> Subgraph:
    """Graph elements a statement returned, as a subgraph (API tokens left out, and every
    relationship that touches one)."""
    kept = {n.element_id: n for n in nodes if not HIDDEN_LABELS & n.labels}
    out = Subgraph(
        [GraphNode(_api_id(n), n.element_id, sorted(n.labels), dict(n)) for n in kept.values()]
    )
    for r in relationships:
        start, end = r.start_node, r.end_node
        if (
            start is None
            or end is None
            or start.element_id not in kept
            or end.element_id not in kept
        ):
            continue
        out.edges.append(
            GraphEdge(
                r.element_id, _api_id(kept[start.element_id]), _api_id(kept[end.element_id]), r.type
            )
        )
    return out
