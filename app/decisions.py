"""Decisions: the governance choices the source platform makes on its own (domain layer)."""

from __future__ import annotations

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


class Evidence(BaseModel):
    """A source object a decision comes from."""

    id: str
    name: str | None = None


class DecisionView(BaseModel):
    """One decision as the CLI and API show it."""

    id: str
    category: str
    kind: str
    summary: str
    state: Literal["active", "retired"]
    status: str
    owner: str | None = None
    version: int = 0
    first_seen: str | None = None
    retired_at: str | None = None
    evidence: list[Evidence]
    affects: list[str]


def list_decisions(
    graph: Graph,
    *,
    category: str | None = None,
    state: str | None = None,
    status: str | None = None,
    limit: int = 100_000,
) -> list[DecisionView]:
    """Decisions with evidence and blast radius, filtered by category, state (active or
    retired) and ownership status (``retired`` for retired decisions)."""
    rows: list[dict[str, Any]] = graph.read(
        "decisions/list", {"category": category, "state": state, "limit": limit}
    )
    views = []
    for row in rows:
        ownership = row.pop("ownership")
        view = DecisionView(**row, status="retired" if row["state"] == "retired" else ownership)
        if status is None or view.status == status:
            views.append(view)
    return views
