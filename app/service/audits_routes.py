"""``/api/audits``: the named Cypher audits of ``cypher/audits/`` and their findings."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel

from app.audits import Severity, load_audits, run_audits
from app.graph import Graph
from app.service.auth import Viewer
from app.service.errors import error_responses
from app.service.values import jsonable

router = APIRouter(prefix="/api/audits", tags=["audits"])


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
