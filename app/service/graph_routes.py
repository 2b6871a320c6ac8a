"""``/api/summary``, ``/api/search``, ``/api/nodes/...`` and ``/api/path``: the graph as a
viewer needs it. Node ids are the nodes' ``id`` property (every source node, decision and
event has one), else Neo4j's element id; both are accepted wherever an id is asked for."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel

from app.decisions import CATEGORIES
from app.graph import Graph
from app.node_names import AmbiguousNodeName, node_ref
from app.report import CategoryReadiness
from app.service.auth import Viewer
from app.service.errors import error_responses
from app.service.values import clean_props, kind_of, name_of

router = APIRouter(prefix="/api", tags=["graph"])

_LUCENE_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')
_LABEL = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")
MAX_TERMS = 10


def _graph(request: Request) -> Graph:
    graph: Graph = request.app.state.graph
    return graph


def lucene_escape(text: str) -> str:
    """``text`` with every Lucene query-syntax character escaped."""
    return _LUCENE_SPECIAL.sub(r"\\\1", text)


def search_query(text: str) -> str:
    """The Lucene query for what a user typed: the exact phrase (boosted) or every word as a
    prefix. Everything the user typed is escaped; the result is passed as a parameter."""
    terms = re.findall(r"\w+", text.lower())[:MAX_TERMS]
    if not terms:
        raise HTTPException(400, "q needs at least one letter or digit")
    prefixes = " AND ".join(f"{lucene_escape(t)}*" for t in terms)
    return f'"{lucene_escape(text.strip().lower())}"^4 OR ({prefixes})'


class Readiness(BaseModel):
    """Day-90 readiness of one decision category (active decisions)."""

    category: str
    total: int
    owned: int
    enforced: int
    verified: int
    readiness: float


class SummaryOut(BaseModel):
    """Node counts per label and readiness per decision category."""

    labels: dict[str, int]
    readiness: list[Readiness]
    total: Readiness


def _readiness(c: CategoryReadiness) -> Readiness:
    return Readiness(
        category=c.category,
        total=c.inventoried,
        owned=c.owned,
        enforced=c.enforced,
        verified=c.verified,
        readiness=c.readiness,
    )


@router.get("/summary", response_model=SummaryOut)
def summary(request: Request, _: Viewer) -> SummaryOut:
    """Counts per label, and per decision category the active decisions, how many are owned
    (accepted or later), enforced and verified (the Day-90 readiness of ``authmap report``)."""
    graph = _graph(request)
    labels = {r["label"]: r["count"] for r in graph.read("admin/label_counts")}
    labels.pop("ApiToken", None)
    rows = {r["category"]: r for r in graph.read("report/readiness")}
    categories = [CategoryReadiness(**rows.get(c, {"category": c})) for c in CATEGORIES]
    categories += [CategoryReadiness(**r) for c, r in rows.items() if c not in CATEGORIES]
    total = CategoryReadiness(category="all")
    for c in categories:
        total.inventoried += c.inventoried
        total.owned += c.owned
        total.enforced += c.enforced
        total.verified += c.verified
    return SummaryOut(
        labels=labels, readiness=[_readiness(c) for c in categories], total=_readiness(total)
    )


class SearchHit(BaseModel):
    """A node whose name matches."""

    id: str
    kind: str
    name: str | None
    score: float


@router.get("/search", response_model=list[SearchHit], responses=error_responses(400))
def search(
    request: Request,
    _: Viewer,
    q: Annotated[str, Query(min_length=1, max_length=200, description="Words of a name")],
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> list[dict[str, Any]]:
    """Nodes of every kind whose name, display name or principal matches ``q`` (full-text:
    the exact text ranks first, then names with every word as a prefix)."""
    return _graph(request).read("api/search", {"query": search_query(q), "limit": limit})


class Degree(BaseModel):
    """How many relationships of a type leave (``out``) or reach (``in``) the node."""

    type: str
    direction: str
    count: int


class NodeOut(BaseModel):
    """One node: its labels, properties and degree by relationship type."""

    id: str
    element_id: str
    kind: str
    name: str | None
    labels: list[str]
    props: dict[str, Any]
    degree: list[Degree]


def find_node(graph: Graph, node_id: str) -> dict[str, Any]:
    """The node with this API id (404 when there is none)."""
    rows = graph.read("api/node", {"id": node_id})
    if not rows:
        raise HTTPException(404, f"no node {node_id!r}")
    return rows[0]


@router.get("/nodes/{node_id}", response_model=NodeOut, responses=error_responses(404))
def node(request: Request, node_id: str, _: Viewer) -> NodeOut:
    """A node's labels, properties and degree by relationship type and direction."""
    row = find_node(_graph(request), node_id)
    return NodeOut(
        id=row["id"],
        element_id=row["element_id"],
        kind=kind_of(row["labels"]),
        name=name_of(row["props"]),
        labels=sorted(row["labels"]),
        props=clean_props(row["labels"], row["props"]),
        degree=row["degree"],
    )


class GraphNode(BaseModel):
    """A node for a graph viewer."""

    id: str
    kind: str
    name: str | None
    props: dict[str, Any]


class GraphEdge(BaseModel):
    """A relationship for a graph viewer (``source`` and ``target`` are node ids)."""

    id: str
    source: str
    target: str
    type: str


class GraphOut(BaseModel):
    """Nodes and edges; ``truncated`` when the node limit cut the answer short."""

    nodes: list[GraphNode]
    edges: list[GraphEdge]
    truncated: bool = False


def _graph_node(node_id: str, labels: list[str], props: dict[str, Any]) -> GraphNode:
    return GraphNode(
        id=node_id, kind=kind_of(labels), name=name_of(props), props=clean_props(labels, props)
    )


def _labels(text: str | None) -> list[str] | None:
    if text is None or not text.strip():
        return None
    labels = [part.strip() for part in text.split(",") if part.strip()]
    bad = [label for label in labels if not _LABEL.match(label)]
    if bad or len(labels) > 50:
        raise HTTPException(400, f"labels must be a comma-separated list of labels, not {bad}")
    return labels


@router.get(
    "/nodes/{node_id}/neighbourhood", response_model=GraphOut, responses=error_responses(400, 404)
)
def neighbourhood(
    request: Request,
    node_id: str,
    _: Viewer,
    depth: Annotated[int, Query(ge=1, le=3)] = 1,
    limit: Annotated[int, Query(ge=1, le=2000, description="Most nodes returned")] = 200,
    labels: Annotated[
        str | None, Query(max_length=2000, description="Only neighbours with one of these")
    ] = None,
) -> GraphOut:
    """The node and what lies within ``depth`` hops (either direction), breadth first, at
    most ``limit`` nodes; ``labels=A,B`` keeps only neighbours with one of those labels."""
    graph = _graph(request)
    wanted = _labels(labels)
    centre = find_node(graph, node_id)
    nodes = {centre["id"]: _graph_node(centre["id"], centre["labels"], centre["props"])}
    edges: dict[str, GraphEdge] = {}
    frontier, truncated = [centre["element_id"]], False
    for _hop in range(depth):
        if not frontier:
            break
        rows = graph.read(
            "api/neighbours",
            {"frontier": frontier, "labels": wanted, "limit": limit * 5},
        )
        truncated = truncated or len(rows) >= limit * 5
        frontier = []
        for row in rows:
            if row["node_id"] not in nodes:
                if len(nodes) >= limit:
                    truncated = True
                    continue
                nodes[row["node_id"]] = _graph_node(row["node_id"], row["labels"], row["props"])
                frontier.append(row["element_id"])
            if row["source"] in nodes and row["target"] in nodes:
                edges[row["id"]] = GraphEdge(
                    id=row["id"], source=row["source"], target=row["target"], type=row["type"]
                )
    return GraphOut(nodes=list(nodes.values()), edges=list(edges.values()), truncated=truncated)


@router.get("/path", response_model=GraphOut, responses=error_responses(400, 404))
def path(
    request: Request,
    _: Viewer,
    from_: Annotated[str, Query(alias="from", min_length=1, max_length=1000)],
    to: Annotated[str, Query(min_length=1, max_length=1000)],
    max_: Annotated[int, Query(alias="max", ge=1, le=15, description="Most hops")] = 8,
    types: Annotated[
        str | None,
        Query(
            max_length=2000,
            description="Only these relationship types, e.g. "
            "GRANTED_TO,ON_ENTITY,PERMISSION_PARENT,MEMBER_OF",
        ),
    ] = None,
) -> GraphOut:
    """The shortest path between two nodes (ids, or names: ``web-01``, ``CORP\\alice``),
    ignoring relationship direction (404 when there is none within ``max`` hops)."""
    graph = _graph(request)
    try:  # ids, or names such as web-01 and CORP\alice
        start, end = (find_node(graph, node_ref(graph, ref)) for ref in (from_, to))
    except AmbiguousNodeName as exc:
        raise HTTPException(400, str(exc)) from None
    if start["element_id"] == end["element_id"]:
        only = _graph_node(start["id"], start["labels"], start["props"])
        return GraphOut(nodes=[only], edges=[])
    rows = graph.read(
        "api/path",
        {
            "from": start["element_id"],
            "to": end["element_id"],
            "types": _labels(types),
            "max": max_,
        },
    )
    if not rows:
        raise HTTPException(404, f"no path from {from_!r} to {to!r} within {max_} hops")
    return GraphOut(
        nodes=[_graph_node(n["id"], n["labels"], n["props"]) for n in rows[0]["nodes"]],
        edges=[GraphEdge(**e) for e in rows[0]["edges"]],
    )
