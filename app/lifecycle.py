"""Ownership on the target: teams, platforms and each decision's lifecycle.

unowned → assigned (to a team) → accepted (by that team) → enforced (the target control is
recorded, or "no native equivalent: owned as a process") → verified (who, when, how, result).

Every transition is checked here first (clear errors), then written by one Cypher statement
that also appends its ``Event`` and only applies if the decision's ``version`` is still the
one read (optimistic concurrency: a concurrent change raises :class:`ConflictError` and writes
nothing). Ingests and derives never touch these properties, nodes or events.
"""

from __future__ import annotations

import getpass
import socket
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from app.graph import Graph

Status = Literal["unowned", "assigned", "accepted", "enforced", "verified"]
Name = Field(min_length=1, max_length=200)

ALLOWED: dict[str, tuple[str, ...]] = {
    "assign": ("unowned", "assigned", "accepted", "enforced", "verified"),
    "accept": ("assigned",),
    "enforce": ("accepted", "enforced", "verified"),
    "verify": ("enforced", "verified"),
}


class OwnershipError(ValueError):
    """A transition that is not allowed, or names something that does not exist."""


class NotFoundError(OwnershipError):
    """No such decision, team or platform."""


class ConflictError(OwnershipError):
    """The decision changed since it was read (stale version): nothing was written."""


class Team(BaseModel):
    """A team that can own decisions on the target."""

    name: str = Name
    contact: str | None = Field(default=None, max_length=500)
    directory_group: str | None = Field(default=None, max_length=500)


class TargetPlatform(BaseModel):
    """A platform the estate moves to (Proxmox VE, OpenShift Virtualization, ...)."""

    name: str = Name
    kind: str = Field(min_length=1, max_length=200)


class DecisionState(BaseModel):
    """The ownership state of one decision."""

    id: str
    state: str
    status: Status
    version: int
    team: str | None = None
    enforcement_platform: str | None = None
    enforcement_reference: str | None = None


def default_actor() -> str:
    """``user@host`` of the person running the command line."""
    return f"{getpass.getuser()}@{socket.gethostname()}"


def upsert_team(graph: Graph, team: Team, actor: str) -> None:
    """Create or update a team."""
    graph.write("ownership/team_upsert", {**team.model_dump(), "actor": actor})


def upsert_platform(graph: Graph, platform: TargetPlatform, actor: str) -> None:
    """Create or update a target platform."""
    graph.write("ownership/platform_upsert", {**platform.model_dump(), "actor": actor})


def state(graph: Graph, decision_id: str) -> DecisionState:
    """The current ownership state (raises :class:`NotFoundError`)."""
    rows = graph.read("ownership/state", {"decision_id": decision_id})
    if not rows:
        raise NotFoundError(f"no decision {decision_id!r}")
    return DecisionState(**rows[0])


def _transition(
    graph: Graph,
    action: str,
    decision_id: str,
    actor: str,
    expected_version: int | None,
    params: dict[str, Any],
) -> DecisionState:
    current = state(graph, decision_id)
    # A stale version first: the caller judged the transition on a state that is gone, so the
    # answer is "reload" (412), not a refusal of the transition (409) on a state it never saw.
    version = current.version if expected_version is None else expected_version
    if version != current.version:
        raise ConflictError(
            f"decision {decision_id} is at version {current.version}, "
            f"not {version}: reload it and try again"
        )
    if current.state == "retired" and action != "verify":
        raise OwnershipError(f"decision {decision_id} is retired: its source no longer exists")
    if current.status not in ALLOWED[action]:
        raise OwnershipError(
            f"cannot {action} decision {decision_id}: it is {current.status} "
            f"(allowed from {', '.join(ALLOWED[action])})"
        )
    rows = graph.write(
        f"ownership/{action}",
        {
            "decision_id": decision_id,
            "actor": actor,
            "expected_version": version,
            "note": None,
            **params,
        },
    )
    if not rows:
        raise ConflictError(
            f"decision {decision_id} changed while {action} was applied: "
            "nothing was written; reload it and try again"
        )
    return state(graph, decision_id)


def assign(
    graph: Graph,
    decision_id: str,
    team: str,
    actor: str,
    *,
    expected_version: int | None = None,
    note: str | None = None,
) -> DecisionState:
    """Assign a decision to a team."""
    if team not in {t.name for t in teams(graph)}:
        raise NotFoundError(f"no team {team!r}: create it with `authmap teams add`")
    return _transition(
        graph, "assign", decision_id, actor, expected_version, {"team": team, "note": note}
    )


def accept(
    graph: Graph,
    decision_id: str,
    actor: str,
    *,
    expected_version: int | None = None,
    note: str | None = None,
) -> DecisionState:
    """The assigned team accepts ownership."""
    return _transition(graph, "accept", decision_id, actor, expected_version, {"note": note})


def enforce(
    graph: Graph,
    decision_id: str,
    actor: str,
    *,
    platform: str,
    reference: str | None,
    control_kind: str | None = None,
    expected_version: int | None = None,
    note: str | None = None,
) -> DecisionState:
    """Record the target control that enforces the decision; ``reference=None`` means no
    native equivalent: the decision is owned as a process."""
    return _transition(
        graph,
        "enforce",
        decision_id,
        actor,
        expected_version,
        {
            "platform": platform,
            "reference": reference,
            "control_kind": control_kind,
            "native": reference is not None,
            "note": note,
        },
    )


def verify(
    graph: Graph,
    decision_id: str,
    actor: str,
    *,
    method: Literal["config_check", "dr_drill", "test_alert", "target-read"],
    result: Literal["pass", "fail"],
    verified_at: datetime | None = None,
    expected_version: int | None = None,
    note: str | None = None,
) -> DecisionState:
    """Record a verification and its result: a config check, a DR drill, or a test alert
    (for observability decisions: an alert fired on the target and reached the named team;
    ``actor`` and ``verified_at`` record by whom and when)."""
    return _transition(
        graph,
        "verify",
        decision_id,
        actor,
        expected_version,
        {
            "method": method,
            "result": result,
            "note": note,
            "verified_at": verified_at.isoformat() if verified_at else None,
        },
    )


class Event(BaseModel):
    """One entry of the append-only event log."""

    id: str
    at: str
    actor: str
    action: str
    decision_id: str
    before_status: str | None = None
    after_status: str | None = None
    before_owner: str | None = None
    after_owner: str | None = None
    detail: str | None = None
    note: str | None = None
    version: int | None = None


class EventPage(BaseModel):
    """A page of events, newest first, and how many match in all."""

    total: int
    offset: int
    limit: int
    items: list[Event]


def events_page(
    graph: Graph,
    *,
    decision_id: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> EventPage:
    """The event log, newest first, filtered by decision, actor and time; paged. The one read
    path of ``authmap events`` and ``GET /api/events``."""
    rows = graph.read(
        "ownership/events_page",
        {
            "decision_id": decision_id,
            "actor": actor,
            "since": since.isoformat() if since else None,
            "skip": offset,
            "limit": limit,
        },
    )
    total = rows[0]["total"] if rows else 0
    items = [Event(**r) for r in rows if r["id"] is not None]
    return EventPage(total=total, offset=offset, limit=limit, items=items)


def teams(graph: Graph) -> list[Team]:
    """Every team, by name."""
    return [
        Team(name=r["name"], contact=r["contact"], directory_group=r["detail"])
        for r in graph.read("ownership/teams")
        if r["type"] == "team"
    ]


def platforms(graph: Graph) -> list[TargetPlatform]:
    """Every target platform, by name."""
    return [
        TargetPlatform(name=r["name"], kind=r["detail"] or "unknown")
        for r in graph.read("ownership/teams")
        if r["type"] == "platform"
    ]
