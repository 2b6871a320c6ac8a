"""``/api/parity``: the stored answers of ``authmap parity``, paged: the latest result of each
decision, the target-only authority and the VM mapping of the newest run, and
``/api/decisions/{id}/parity``, one decision's history. Read-only (the viewer role): a parity
run reads the target with a kubeconfig, which is the CLI's (``authmap parity``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request

from app import lifecycle as ownership
from app.decisions import CATEGORIES
from app.graph import Graph
from app.neighbourhood import elements_subgraph
from app.parity import stored
from app.parity.model import Status
from app.parity.stored import ParityPage, TargetOnlyPage, VmMappingPage
from app.parity.target import TargetError
from app.service.auth import Viewer
from app.service.errors import error_responses
from app.service.graph_routes import GraphOut, graph_out

router = APIRouter(prefix="/api", tags=["parity"])

MAX_OFFSET = 2**31 - 1
"""Neo4j's ``SKIP`` takes a 32-bit integer (as ``/api/decisions``)."""

Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
TargetName = Annotated[
    str | None, Query(max_length=300, description="A target's name or id (any when absent)")
]


def _graph(request: Request) -> Graph:
    graph: Graph = request.app.state.graph
    return graph


def _category(category: str | None) -> str | None:
    if category is not None and category not in CATEGORIES:
        raise HTTPException(422, f"unknown category {category!r} (one of {', '.join(CATEGORIES)})")
    return category


@router.get("/parity", response_model=ParityPage, responses=error_responses(404, 422))
def parity(
    request: Request,
    _: Viewer,
    target: TargetName = None,
    category: Annotated[str | None, Query(max_length=100)] = None,
    status: Annotated[Status | None, Query()] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> ParityPage:
    """The latest stored parity result of each decision on each target (the ``decisions`` of
    ``authmap parity --format json``, with run, target and time), filtered by target,
    category and status, ordered by category and summary; paged. 404 for an unknown target."""
    try:
        return stored.results_page(
            _graph(request),
            target=target,
            category=_category(category),
            status=status,
            limit=limit,
            offset=offset,
        )
    except TargetError as exc:
        raise HTTPException(404, str(exc)) from None


@router.get(
    "/parity/target-only", response_model=TargetOnlyPage, responses=error_responses(404, 422)
)
def target_only(
    request: Request, _: Viewer, target: TargetName = None, limit: Limit = 100, offset: Offset = 0
) -> TargetOnlyPage:
    """Target-only authority (bindings that grant VM control to principals with no source
    grant) found by the newest run that judged change authority; paged."""
    try:
        return stored.target_only_page(_graph(request), target, limit=limit, offset=offset)
    except TargetError as exc:
        raise HTTPException(404, str(exc)) from None


@router.get("/parity/vm-mapping", response_model=VmMappingPage, responses=error_responses(404, 422))
def vm_mapping(
    request: Request, _: Viewer, target: TargetName = None, limit: Limit = 100, offset: Offset = 0
) -> VmMappingPage:
    """The newest run's mapping of source VMs to target VMs: the matched ones paged (with how
    each was found), every ambiguous, unmatched and unused one."""
    try:
        return stored.vm_mapping_page(_graph(request), target, limit=limit, offset=offset)
    except TargetError as exc:
        raise HTTPException(404, str(exc)) from None


@router.get(
    "/decisions/{decision_id}/parity",
    response_model=ParityPage,
    responses=error_responses(404, 422),
)
def decision_parity(
    request: Request, decision_id: str, _: Viewer, limit: Limit = 100, offset: Offset = 0
) -> ParityPage:
    """Every stored parity result of one decision, newest first (``latest`` marks the current
    one of each target); paged. 404 for an unknown decision."""
    graph = _graph(request)
    try:
        ownership.state(graph, decision_id)
    except ownership.NotFoundError as exc:
        raise HTTPException(404, str(exc)) from None
    return stored.history(graph, decision_id, limit=limit, offset=offset)


@router.get(
    "/decisions/{decision_id}/parity/graph", response_model=GraphOut, responses=error_responses(404)
)
def decision_parity_graph(request: Request, decision_id: str, _: Viewer) -> GraphOut:
    """The decision, its latest parity result on each target (``PARITY_OF``) and the target
    objects each names as evidence (``TARGET_EVIDENCE``): what the viewer's "Target objects"
    draws. 404 for an unknown decision."""
    nodes, relationships = _graph(request).read_elements(
        "parity/decision_graph", 0, {"decision_id": decision_id}
    )
    if not nodes:
        raise HTTPException(404, f"no decision {decision_id!r}")
    return graph_out(elements_subgraph(nodes, relationships))
