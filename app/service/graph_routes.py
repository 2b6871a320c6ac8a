"""``/api/summary``, ``/api/search``, ``/api/nodes/...`` and ``/api/path``: the graph as a
viewer needs it. Node ids are the nodes' ``id`` property (every source node, decision and
event has one), else Neo4j's element id; both are accepted wherever an id is asked for."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel

from app import neighbourhood as domain
from app.decisions import CATEGORIES
from app.graph import Graph
from app.neighbourhood import NodeNotFound, NoPath, Subgraph, node_detail
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
    labels = domain.label_counts(graph)
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
    return domain.search(_graph(request), search_query(q), limit)


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


@router.get("/nodes/{node_id}", response_model=NodeOut, responses=error_responses(404))
def node(request: Request, node_id: str, _: Viewer) -> NodeOut:
    """A node's labels, properties and degree by relationship type and direction."""
    try:
        found, degree = node_detail(_graph(request), node_id)
    except NodeNotFound as exc:
        raise HTTPException(404, str(exc)) from None
    return NodeOut(
        id=found.id,
        element_id=found.element_id,
        kind=kind_of(found.labels),
        name=name_of(found.props),
        labels=sorted(found.labels),
        props=clean_props(found.labels, found.props),
        degree=[Degree(**d) for d in degree],
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


def graph_out(found: Subgraph) -> GraphOut:
    """A domain subgraph as the API answers it (kinds, names, shown properties)."""
    return GraphOut(
        nodes=[
            GraphNode(
                id=n.id,
                kind=kind_of(n.labels),
                name=name_of(n.props),
                props=clean_props(n.labels, n.props),
            )
            for n in found.nodes
        ],
        edges=[
            GraphEdge(id=e.id, source=e.source, target=e.target, type=e.type) for e in found.edges
        ],
        truncated=found.truncated,
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
    wanted = _labels(labels)
    try:
        found = domain.neighbourhood(
            _graph(request), node_id, depth=depth, limit=limit, labels=wanted
        )
    except NodeNotFound as exc:
        raise HTTPException(404, str(exc)) from None
    return graph_out(found)


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
    try:
        start, end = (node_ref(graph, ref) for ref in (from_, to))
        found = domain.shortest_path(graph, start, end, max_hops=max_, types=_labels(types))
    except AmbiguousNodeName as exc:
        raise HTTPException(400, str(exc)) from None
    except (NodeNotFound, NoPath) as exc:
        raise HTTPException(404, str(exc)) from None
    return graph_out(found)
