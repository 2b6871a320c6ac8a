"""The decision lifecycle commands (``authmap decisions assign|accept|enforce|verify``) and
``authmap events``: ownership on the target, recorded with an append-only event log.

Every command takes a decision's id or the short id ``authmap decisions list`` shows.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum

import typer
from rich.table import Table

from app.cli.common import ACTOR, fail, graph, out, shown
from app.decisions import DecisionRefError, resolve
from app.graph import Graph
from app.lifecycle import (
    DecisionState,
    OwnershipError,
    accept,
    assign,
    default_actor,
    enforce,
    events_page,
    verify,
)

DECISION = typer.Argument(..., help="The decision's id or short id (see `decisions list`).")
VERSION = typer.Option(
    None,
    "--if-version",
    help="Only apply if the decision is still at this version (optimistic concurrency).",
)
NOTE = typer.Option(None, "--note", help="A free-text note kept in the event log.")


class Method(StrEnum):
    """How a verification was done."""

    config_check = "config_check"
    dr_drill = "dr_drill"
    test_alert = "test_alert"
    target_read = "target-read"


class Result(StrEnum):
    """A verification's result."""

    passed = "pass"
    failed = "fail"


def resolved(connected: Graph, ref: str) -> str:
    """The decision id ``ref`` names, or one clear error line (exit 2)."""
    try:
        return resolve(connected, ref)
    except DecisionRefError as exc:
        fail(str(exc))


def _run(ref: str, action: Callable[[Graph, str], DecisionState]) -> None:
    with graph() as connected:
        decision_id = resolved(connected, ref)
        try:
            result = action(connected, decision_id)
        except OwnershipError as exc:
            fail(str(exc))
    out.print(
        f"{result.id}: {result.status} (team {result.team or '-'}, version {result.version})",
        highlight=False,
    )


def assign_cmd(
    decision: str = DECISION,
    team: str = typer.Option(..., "--team", help="The team (see `authmap teams list`)."),
    actor: str | None = ACTOR,
    if_version: int | None = VERSION,
    note: str | None = NOTE,
) -> None:
    """Assign a decision to a team on the target."""
    who = actor or default_actor()
    _run(decision, lambda g, d: assign(g, d, team, who, expected_version=if_version, note=note))


def accept_cmd(
    decision: str = DECISION,
    actor: str | None = ACTOR,
    if_version: int | None = VERSION,
    note: str | None = NOTE,
) -> None:
    """Accept ownership of a decision assigned to your team."""
    who = actor or default_actor()
    _run(decision, lambda g, d: accept(g, d, who, expected_version=if_version, note=note))


def enforce_cmd(
    decision: str = DECISION,
    platform: str = typer.Option(..., help="The target platform."),
    reference: str | None = typer.Option(
        None, help="The target control (rule name, policy id, ...)."
    ),
    process: bool = typer.Option(
        False, "--process", help="No native equivalent: owned as a process."
    ),
    control_kind: str | None = typer.Option(None, "--kind", help="e.g. ha-rule, nsg, rbac."),
    actor: str | None = ACTOR,
    if_version: int | None = VERSION,
    note: str | None = NOTE,
) -> None:
    """Record the target control that enforces a decision (or --process)."""
    if (reference is None) == (not process):
        fail("give either --reference (the target control) or --process")
    who = actor or default_actor()
    _run(
        decision,
        lambda g, d: enforce(
            g,
            d,
            who,
            platform=platform,
            reference=reference,
            control_kind=control_kind,
            expected_version=if_version,
            note=note,
        ),
    )


def verify_cmd(
    decision: str = DECISION,
    method: Method = typer.Option(
        ...,
        help="config_check, dr_drill, test_alert (an alert reached the team), or "
        "target-read (the latest `authmap parity` result: enforced passes).",
    ),
    result: Result | None = typer.Option(None, help="pass or fail (not for target-read)."),
    target: str | None = typer.Option(None, help="target-read: the parity target's id."),
    at: datetime | None = typer.Option(
        None, "--at", help="When it was checked (ISO date-time; default: now)."
    ),
    actor: str | None = ACTOR,
    if_version: int | None = VERSION,
    note: str | None = NOTE,
) -> None:
    """Record that the enforcement was checked (config check, DR drill, test alert or a
    read of the target by `authmap parity`)."""
    who = actor or default_actor()
    if method is Method.target_read:
        from app.parity.lifecycle import verify_from_parity

        _run(
            decision,
            lambda g, d: verify_from_parity(g, d, who, target=target, expected_version=if_version),
        )
        return
    if result is None:
        fail("--result pass|fail is required for this method")
    checked = result
    _run(
        decision,
        lambda g, d: verify(
            g,
            d,
            who,
            method=method.value,  # type: ignore[arg-type]  # target-read returned above
            result=checked.value,
            verified_at=at,
            expected_version=if_version,
            note=note,
        ),
    )


def register(decisions_app: typer.Typer) -> None:
    """Add the lifecycle commands to ``authmap decisions``."""
    decisions_app.command("assign")(assign_cmd)
    decisions_app.command("accept")(accept_cmd)
    decisions_app.command("enforce")(enforce_cmd)
    decisions_app.command("verify")(verify_cmd)


def events_cmd(
    decision: str | None = typer.Option(None, help="One decision's events (id or short id)."),
    actor: str | None = typer.Option(None, help="One actor's events."),
    since: datetime | None = typer.Option(None, help="Only events at or after (ISO date-time)."),
    limit: int = typer.Option(1000, min=1, max=100_000, help="At most this many events."),
    offset: int = typer.Option(0, min=0, help="Skip this many first (paging)."),
    as_json: bool = typer.Option(False, "--json", help="JSON output."),
) -> None:
    """The ownership event log, newest first."""
    with graph() as connected:
        decision_id = resolved(connected, decision) if decision is not None else None
        found = events_page(
            connected, decision_id=decision_id, actor=actor, since=since, limit=limit, offset=offset
        )
    if as_json:
        rows = [e.model_dump() for e in found.items]
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = Table("at", "actor", "action", "decision", "before", "after")
    for e in found.items:
        table.add_row(
            e.at,
            e.actor,
            e.action,
            e.decision_id,
            f"{e.before_status} {e.before_owner or ''}",
            f"{e.after_status} {e.after_owner or ''}",
        )
    out.print(table)
    out.print(shown(offset, len(found.items), found.total, "event"), highlight=False)
