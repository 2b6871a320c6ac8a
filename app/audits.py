"""Audits: named Cypher checks in ``cypher/audits/``, each with a header and three statements
(findings, the total of everything eligible, a graph query for the viewer).

Every file can be pasted into Neo4j Browser or cypher-shell as it is: the statements take no
parameters.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from app.graph import CypherLibrary, Graph
from app.neighbourhood import Subgraph, elements_subgraph

Severity = Literal["low", "medium", "high", "critical"]
SEVERITIES: tuple[Severity, ...] = ("low", "medium", "high", "critical")
AUDIT_DIR = "audits"


class AuditError(ValueError):
    """An unknown audit id, or a malformed audit file."""


class Audit(BaseModel):
    """An audit's header."""

    id: str
    title: str
    severity: Severity
    workstream: str
    description: str
    remediation: str
    file: str


class AuditResult(Audit):
    """An audit's outcome: findings and the denominator."""

    count: int
    total: int
    findings: list[dict[str, Any]]
    graph_query: str


def load_audits(library: CypherLibrary) -> list[Audit]:
    """Every audit, in file-name order (validates each header and its three statements)."""
    audits = []
    for name in library.names(AUDIT_DIR):
        header = library.header(name)
        try:
            audit = Audit(**header, file=str(library.path(name)))
        except Exception as exc:
            raise AuditError(f"{library.path(name)}: bad audit header: {exc}") from None
        if len(library.statements(name)) != 3:
            raise AuditError(
                f"{library.path(name)}: expected 3 statements (findings, total, graph)"
            )
        audits.append(audit)
    return audits


def run_audits(graph: Graph, only: list[str] | None = None) -> list[AuditResult]:
    """Run every audit (or those in ``only``) and return their results."""
    audits = load_audits(graph.library)
    known = {a.id for a in audits}
    unknown = sorted(set(only or []) - known)
    if unknown:
        raise AuditError(
            f"unknown audit(s): {', '.join(unknown)} (known: {', '.join(sorted(known))})"
        )
    results = []
    for audit in audits:
        if only and audit.id not in only:
            continue
        name = f"{AUDIT_DIR}/{audit.id}"
        findings = graph.read_statement(name, 0)
        total = graph.read_statement(name, 1)
        results.append(
            AuditResult(
                **audit.model_dump(),
                count=len(findings),
                total=int(total[0]["total"]) if total else 0,
                findings=findings,
                graph_query=graph.library.statements(name)[2],
            )
        )
    return results


def audit_graph(graph: Graph, audit_id: str) -> Subgraph:
    """The nodes and relationships the audit's own graph query (its third statement) draws,
    run here so a viewer asks by audit id (raises :class:`AuditError` for an unknown id)."""
    if audit_id not in {a.id for a in load_audits(graph.library)}:
        raise AuditError(f"no audit {audit_id!r}")
    nodes, relationships = graph.read_elements(f"{AUDIT_DIR}/{audit_id}", 2)
    return elements_subgraph(nodes, relationships)


def at_or_above(results: list[AuditResult], threshold: Severity) -> list[AuditResult]:
    """Audits with findings whose severity is at or above ``threshold``."""
    floor = SEVERITIES.index(threshold)
    return [r for r in results if r.count and SEVERITIES.index(r.severity) >= floor]
