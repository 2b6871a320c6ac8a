"""``/api/audits``: the named Cypher audits of ``cypher/audits/``, their findings and the graph
each draws; ``/api/readiness``: the Day-90 readiness of ``authmap report`` (the viewer's
dashboard)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel

from app.audits import AuditError, Severity, audit_graph, load_audits, run_audits
from app.graph import Graph
from app.report import CategoryReadiness, build_report
from app.report.model import parity_counts
from app.service.auth import Viewer
from app.service.errors import error_responses
from app.service.graph_routes import GraphOut, graph_out
from app.service.values import jsonable

router = APIRouter(prefix="/api/audits", tags=["audits"])
readiness_router = APIRouter(prefix="/api", tags=["audits"])


def _graph(request: Request) -> Graph:
    graph: Graph = request.app.state.graph
    return graph


class AuditOut(BaseModel):
    """An audit's header."""

    id: str
    title: str
    severity: Severity
    workstream: str
    description: str
    remediation: str


class AuditRunOut(AuditOut):
    """An audit's findings, their count, the total of everything eligible, and the graph
    query a viewer (or Neo4j Browser) can run to show them."""

    count: int
    total: int
    findings: list[dict[str, Any]]
    graph_query: str


@router.get("", response_model=list[AuditOut])
def audits(request: Request, _: Viewer) -> list[AuditOut]:
    """Every audit (id, title, severity, workstream, description, remediation)."""
    return [AuditOut(**a.model_dump()) for a in load_audits(_graph(request).library)]


@router.post("/{audit_id}/run", response_model=AuditRunOut, responses=error_responses(404))
def run(request: Request, audit_id: str, _: Viewer) -> AuditRunOut:
    """Run one audit (read-only) and return its findings."""
    graph = _graph(request)
    if audit_id not in {a.id for a in load_audits(graph.library)}:
        raise HTTPException(404, f"no audit {audit_id!r}")
    [result] = run_audits(graph, [audit_id])
    data = result.model_dump(exclude={"file", "findings"})
    return AuditRunOut(**data, findings=[jsonable(f) for f in result.findings])


@router.get("/{audit_id}/graph", response_model=GraphOut, responses=error_responses(404))
def graph(request: Request, audit_id: str, _: Viewer) -> GraphOut:
    """The nodes and relationships of the audit's own graph query (run here, read-only): what
    the viewer's "Show all in the graph" draws."""
    try:
        return graph_out(audit_graph(_graph(request), audit_id))
    except AuditError as exc:
        raise HTTPException(404, str(exc)) from None


class CategoryOut(BaseModel):
    """Active decisions of one category: inventoried, owned (accepted or later), enforced,
    verified, and the share verified (``readiness``)."""

    category: str
    inventoried: int
    owned: int
    enforced: int
    verified: int
    readiness: float


class WorkstreamOut(BaseModel):
    """One of the four workstreams: ``done`` of ``of``."""

    workstream: str
    done: int
    of: int


class AuditCountOut(BaseModel):
    """An audit's count of findings and its denominator."""

    id: str
    title: str
    severity: Severity
    count: int
    total: int


class ReadinessOut(BaseModel):
    """The Day-90 readiness: per category and workstream, the audits' counts and the largest
    authority vacuums (unowned decisions, largest blast radius first)."""

    generated_at: datetime
    total: CategoryOut
    categories: list[CategoryOut]
    workstreams: list[WorkstreamOut]
    audits: list[AuditCountOut]
    vacuums: list[dict[str, Any]]
    parity: list[dict[str, Any]] = []
    """Per active decision: ownership status, ``verified_by`` (person or target-read), the
    latest target read's ``parity`` status, its ``target`` and ``parity_at`` (null: never
    read); contradicted ones (a person verified, the target read disagrees) first."""
    parity_summary: dict[str, int] = {}
    """``read``, ``target_read``, ``person``, ``contradicted`` (see the report)."""


def _category(c: CategoryReadiness) -> CategoryOut:
    return CategoryOut(**c.model_dump(), readiness=c.readiness)


@readiness_router.get("/readiness", response_model=ReadinessOut)
def readiness(
    request: Request,
    _: Viewer,
    top: Annotated[int, Query(ge=1, le=200, description="Most vacuums listed")] = 10,
) -> ReadinessOut:
    """What ``authmap report`` shows, as data: readiness per category and per workstream,
    every audit's count, and the ``top`` authority vacuums by blast radius."""
    graph = _graph(request)
    report = build_report(graph, top=top)
    [vacuum] = run_audits(graph, ["authority-vacuum"])  # its findings, whatever the report keeps
    return ReadinessOut(
        generated_at=report.generated_at,
        total=_category(report.total),
        categories=[_category(c) for c in report.categories],
        workstreams=[WorkstreamOut(workstream=w, done=d, of=o) for w, d, o in report.workstreams()],
        audits=[AuditCountOut(**a) for a in report.audits],
        vacuums=[jsonable(v) for v in vacuum.findings[:top]],
        parity=report.parity.rows if report.parity else [],
        parity_summary=parity_counts(report.parity.rows if report.parity else []),
    )
