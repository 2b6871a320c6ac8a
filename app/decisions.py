"""Decisions: the governance choices the source platform makes on its own (domain layer).

The one read path for decisions: ``authmap decisions list`` and ``GET /api/decisions`` both
call :func:`page`, ``GET /api/decisions/{id}`` calls :func:`detail`. Every decision also has a
short id (the first hex digits of the SHA-1 of its id, long enough to be unique in the graph)
that :func:`resolve` turns back into the id, so the lifecycle commands take either.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, Literal

from pydantic import BaseModel

from app.graph import Graph

CATEGORIES = (
    "placement",
    "failure_recovery",
    "change_authority",
    "network_authority",
    "storage_allocation",
    "capacity",
    "observability",
)
STATUSES = ("unowned", "assigned", "accepted", "enforced", "verified", "retired")
SHORT_ID_LENGTH = 7
"""Hex digits a short id has at least (more when two decisions share the first ones)."""
_HEX = re.compile(r"[0-9a-f]{4,40}")


class DecisionRefError(ValueError):
    """A decision reference that names no decision, or several (an ambiguous short id)."""


class Evidence(BaseModel):
    """A source object a decision comes from."""

    id: str
    name: str | None = None


class DecisionView(BaseModel):
    """One decision as the CLI and API list it."""

    id: str
    short_id: str
    category: str
    kind: str
    summary: str
    state: Literal["active", "retired"]
    status: str
    team: str | None = None
    owner: str | None = None
    version: int = 0
    first_seen: str | None = None
    retired_at: str | None = None
    blast_radius: int = 0
    evidence: list[Evidence]
    affects: list[str]


class DecisionPage(BaseModel):
    """A page of decisions and how many match in all."""

    total: int
    offset: int
    limit: int
    items: list[DecisionView]


class EvidenceDetail(BaseModel):
    """A source object the decision comes from, with its kind."""

    id: str
    kind: str | None = None
    name: str | None = None


class AffectedVm(BaseModel):
    """A VM in the blast radius."""

    id: str
    name: str | None = None


class DecisionDetail(BaseModel):
    """One decision: evidence, blast radius, ownership, enforcements, verifications."""

    id: str
    category: str
    kind: str
    summary: str
    state: str
    status: str
    ownership_status: str
    team: str | None = None
    version: int
    first_seen: str | None = None
    retired_at: str | None = None
    accepted_at: str | None = None
    accepted_by: str | None = None
    evidence: list[EvidenceDetail]
    affects: list[AffectedVm]
    blast_radius: int
    enforcements: list[dict[str, Any]]
    verifications: list[dict[str, Any]]


def _digest(decision_id: str) -> str:
    return hashlib.sha1(decision_id.encode(), usedforsecurity=False).hexdigest()


def short_ids(graph: Graph) -> dict[str, str]:
    """Every decision id mapped to its short id: the shortest prefix (at least
    :data:`SHORT_ID_LENGTH` hex digits) of its digest that no other decision's digest shares."""
    digests = sorted((_digest(str(r["id"])), str(r["id"])) for r in graph.read("decisions/ids"))
    shorts: dict[str, str] = {}
    for i, (digest, decision_id) in enumerate(digests):
        length = SHORT_ID_LENGTH
        for j in (i - 1, i + 1):
            if 0 <= j < len(digests):
                other = digests[j][0]
                common = next((k for k in range(40) if digest[k] != other[k]), 40)
                length = max(length, common + 1)
        shorts[decision_id] = digest[:length]
    return shorts


def resolve(graph: Graph, ref: str) -> str:
    """The decision id ``ref`` names: a full id, or a short id (or a prefix of one, at least 4
    hex digits) as ``authmap decisions list`` shows it. Raises :class:`DecisionRefError`."""
    ids = [str(r["id"]) for r in graph.read("decisions/ids")]
    if ref in ids:
        return ref
    if not _HEX.fullmatch(ref.lower()):
        raise DecisionRefError(
            f"no decision {ref}: give its id or the short id `authmap decisions list` shows"
        )
    matches = sorted(i for i in ids if _digest(i).startswith(ref.lower()))
    if not matches:
        raise DecisionRefError(f"no decision with short id {ref}")
    if len(matches) > 1:
        listed = ", ".join(matches[:5]) + (" …" if len(matches) > 5 else "")
        raise DecisionRefError(
            f"short id {ref} is ambiguous: {len(matches)} decisions ({listed}); give more digits"
        )
    return matches[0]


def page(
    graph: Graph,
    *,
    category: str | None = None,
    state: str | None = None,
    status: str | None = None,
    team: str | None = None,
    text: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> DecisionPage:
    """Decisions with evidence and blast radius, filtered by category, state (active or
    retired), ownership status (``retired`` for retired ones), owning team and text (in the
    id or summary, case-insensitive); ordered by category, kind and summary; paged."""
    rows: list[dict[str, Any]] = graph.read(
        "decisions/page",
        {
            "category": category,
            "state": state,
            "status": status,
            "team": team,
            "text": text or None,
            "skip": offset,
            "limit": limit,
        },
    )
    total = rows[0]["total"] if rows else 0
    shorts = short_ids(graph) if total else {}
    items = [
        DecisionView(
            **{k: v for k, v in row.items() if k != "total"},
            short_id=shorts.get(row["id"], _digest(row["id"])[:SHORT_ID_LENGTH]),
            owner=row["team"],
            blast_radius=len(row["affects"]),
        )
        for row in rows
        if row["id"] is not None
    ]
    return DecisionPage(total=total, offset=offset, limit=limit, items=items)


def list_decisions(
    graph: Graph,
    *,
    category: str | None = None,
    state: str | None = None,
    status: str | None = None,
    limit: int = 100_000,
) -> list[DecisionView]:
    """Every decision :func:`page` finds (up to ``limit``), as a plain list."""
    return page(graph, category=category, state=state, status=status, limit=limit).items


def detail(graph: Graph, decision_id: str) -> DecisionDetail | None:
    """One decision with its enforcements and verifications, or ``None``."""
    rows = graph.read("decisions/detail", {"id": decision_id})
    if not rows:
        return None
    return DecisionDetail(**rows[0], blast_radius=len(rows[0]["affects"]))
