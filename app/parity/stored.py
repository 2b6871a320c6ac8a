"""Stored parity results, read back: the latest result of each decision (paged, filtered),
one decision's history, and the newest run's target-only authority and VM mapping. The
shapes are those of ``authmap parity --format json``, with the run, target and time of each
result added."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from app.graph import Graph
from app.parity.target import TargetError

Q = "parity"


class ParityVms(BaseModel):
    """The decision's VMs found on the target (``namespace/name``) and those not found."""

    mapped: list[str]
    unmapped: list[str]


class StoredParity(BaseModel):
    """One stored parity result: a decision of ``authmap parity --format json`` and where and
    when it was judged."""

    decision_id: str
    category: str | None
    summary: str | None
    status: str
    evidence: list[dict[str, Any]]
    explanation: list[str]
    vms: ParityVms
    target: str
    target_name: str | None
    run: str
    at: str
    latest: bool = True


class ParityPage(BaseModel):
    """A page of stored parity results and how many match in all."""

    total: int
    offset: int
    limit: int
    items: list[StoredParity]


class StoredRun(BaseModel):
    """A stored parity run: its target, time and counts per status."""

    run: str
    at: str
    target: str
    target_name: str | None
    counts: dict[str, int]


class TargetOnlyPage(BaseModel):
    """A page of the target-only authority the newest run that judged change authority found
    (``run`` is null when no run did)."""

    total: int
    offset: int
    limit: int
    run: StoredRun | None
    items: list[dict[str, Any]]


class VmMappingPage(BaseModel):
    """The newest run's VM mapping (the ``vm_mapping`` block of the JSON report): a page of
    the matched VMs (``items``), and every ambiguous, unmatched and unused one."""

    total: int
    offset: int
    limit: int
    run: StoredRun | None
    items: list[dict[str, Any]]
    ambiguous: list[dict[str, Any]]
    unmatched: list[str]
    unused_target: list[str]
    errors: list[str]


def target_id(graph: Graph, name: str | None) -> str | None:
    """The id of the target called ``name`` (its name, id or source id); None for any.
    Raises :class:`TargetError` when there is no such target."""
    if name is None:
        return None
    for row in graph.read(f"{Q}/targets"):
        if name in (row["name"], row["id"], row["source_id"]):
            return str(row["id"])
    raise TargetError(f"no target {name!r} in the graph")


def _result(row: dict[str, Any]) -> StoredParity:
    return StoredParity(
        decision_id=row["decision_id"],
        category=row["category"],
        summary=row["summary"],
        status=row["status"],
        evidence=json.loads(row["evidence_json"] or "[]"),
        explanation=list(row["explanation"] or []),
        vms=ParityVms(mapped=list(row["mapped"] or []), unmapped=list(row["unmapped"] or [])),
        target=row["target"],
        target_name=row["target_name"],
        run=row["run"],
        at=row["at"],
        latest=bool(row.get("latest", True)),
    )


def results_page(
    graph: Graph,
    *,
    target: str | None = None,
    category: str | None = None,
    status: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> ParityPage:
    """The latest result of each decision on each target (``target``: a name or id), ordered
    by category and summary; paged."""
    params = {
        "target": target_id(graph, target),
        "category": category,
        "status": status,
        "skip": offset,
        "limit": limit,
    }
    rows = graph.read(f"{Q}/results_page", params)
    items = [_result(r) for r in rows if r["decision_id"] is not None]
    return ParityPage(
        total=rows[0]["total"] if rows else 0, offset=offset, limit=limit, items=items
    )


def history(graph: Graph, decision_id: str, *, limit: int = 100, offset: int = 0) -> ParityPage:
    """Every stored result of one decision, newest first; paged."""
    params = {"decision_id": decision_id, "skip": offset, "limit": limit}
    rows = graph.read(f"{Q}/results_history", params)
    items = [_result(r) for r in rows if r["run"] is not None]
    return ParityPage(
        total=rows[0]["total"] if rows else 0, offset=offset, limit=limit, items=items
    )


def latest_run(
    graph: Graph, target: str | None, *, authority: bool = False
) -> tuple[StoredRun | None, dict[str, Any]]:
    """The newest stored run (on ``target``; ``authority``: that judged change authority) and
    its raw row (empty when there is none)."""
    rows = graph.read(
        f"{Q}/run_latest", {"target": target_id(graph, target), "authority": authority}
    )
    if not rows:
        return None, {}
    row = rows[0]
    run = StoredRun(
        run=row["run"],
        at=row["at"],
        target=row["target"],
        target_name=row["target_name"],
        counts=json.loads(row["counts_json"] or "{}"),
    )
    return run, row


def target_only_page(
    graph: Graph, target: str | None, *, limit: int = 100, offset: int = 0
) -> TargetOnlyPage:
    """The target-only authority of the newest run that judged change authority; paged."""
    run, row = latest_run(graph, target, authority=True)
    found = json.loads(row.get("target_only_json") or "[]") if row else []
    return TargetOnlyPage(
        total=len(found), offset=offset, limit=limit, run=run, items=found[offset : offset + limit]
    )


def vm_mapping_page(
    graph: Graph, target: str | None, *, limit: int = 100, offset: int = 0
) -> VmMappingPage:
    """The newest run's VM mapping, its matched VMs paged (empty when no run stored one)."""
    run, row = latest_run(graph, target)
    found = json.loads(row.get("vm_mapping_json") or "null") if row else None
    mapping: dict[str, Any] = found or {}
    matched = list(mapping.get("matched", []))
    return VmMappingPage(
        total=len(matched),
        offset=offset,
        limit=limit,
        run=run,
        items=matched[offset : offset + limit],
        ambiguous=list(mapping.get("ambiguous", [])),
        unmatched=list(mapping.get("unmatched", [])),
        unused_target=list(mapping.get("unused_target", [])),
        errors=[str(e) for e in mapping.get("errors", [])],
    )
