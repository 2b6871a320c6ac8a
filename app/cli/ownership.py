"""``authmap teams``, ``authmap platforms``, the decision lifecycle commands and
``authmap events``: ownership on the target, recorded with an append-only event log."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

import typer
from pydantic import ValidationError
from rich.table import Table

from app.cli.common import fail, graph, out
from app.graph import Graph
from app.ownership import (
    DecisionState,
    OwnershipError,
    TargetPlatform,
    Team,
    accept,
    assign,
    default_actor,
    enforce,
    events,
    upsert_platform,
    upsert_team,
    verify,
)

teams_app = typer.Typer(help="Teams that own decisions on the target.", no_args_is_help=True)
platforms_app = typer.Typer(help="Target platforms.", no_args_is_help=True)

ACTOR = typer.Option(None, "--actor", help="Who records this (default: user@host).")
VERSION = typer.Option(
    None,
    "--if-version",
    help="Only apply if the decision is still at this version (optimistic concurrency).",
)
NOTE = typer.Option(None, "--note", help="A free-text note kept in the event log.")
T = TypeVar("T")


def _run(action: Callable[[Graph], DecisionState]) -> None:
    with graph() as connected:
        try:
            result = action(connected)
        except OwnershipError as exc:
            fail(str(exc))
    out.print(f"{result.id}: {result.status} (team {result.team or '-'}, version {result.version})")


def _model(factory: Callable[[], T]) -> T:
    try:
        return factory()
    except ValidationError as exc:
        first = exc.errors()[0]
        fail(f"invalid {'.'.join(map(str, first['loc']))}: {first['msg']}")


@teams_app.command("add")
def team_add(
    name: str,
    contact: str | None = typer.Option(None, help="E-mail or channel."),
    directory_group: str | None = typer.Option(None, help="e.g. CORP\\\\team-db."),
    actor: str | None = ACTOR,
) -> None:
    """Create or update a team."""
    team = _model(lambda: Team(name=name, contact=contact, directory_group=directory_group))
    with graph() as connected:
        upsert_team(connected, team, actor or default_actor())
    out.print(f"team {team.name} saved")


@teams_app.command("list")
def team_list(as_json: bool = typer.Option(False, "--json")) -> None:
    """Teams and target platforms."""
    with graph() as connected:
        rows = connected.read("ownership/teams")
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = Table("type", "name", "contact", "detail")
    for row in rows:
        table.add_row(row["type"], row["name"], row["contact"] or "", row["detail"] or "")
    out.print(table)


@platforms_app.command("add")
def platform_add(
    name: str,
    kind: str = typer.Option(
        ..., help="e.g. Proxmox VE, OpenShift Virtualization, Nutanix AHV, Hyper-V, OpenStack."
    ),
    actor: str | None = ACTOR,
) -> None:
    """Create or update a target platform."""
    platform = _model(lambda: TargetPlatform(name=name, kind=kind))
    with graph() as connected:
        upsert_platform(connected, platform, actor or default_actor())
    out.print(f"platform {platform.name} saved")


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


def register(decisions_app: typer.Typer) -> None:
    """Add the lifecycle commands to ``authmap decisions``."""

    @decisions_app.command("assign")
    def assign_cmd(
        decision_id: str,
        team: str = typer.Option(..., "--team"),
        actor: str | None = ACTOR,
        if_version: int | None = VERSION,
        note: str | None = NOTE,
    ) -> None:
        """Assign a decision to a team on the target."""
        _run(
            lambda g: assign(
                g,
                decision_id,
                team,
                actor or default_actor(),
                expected_version=if_version,
                note=note,
            )
        )

    @decisions_app.command("accept")
    def accept_cmd(
        decision_id: str,
        actor: str | None = ACTOR,
        if_version: int | None = VERSION,
        note: str | None = NOTE,
    ) -> None:
        """Accept ownership of a decision assigned to your team."""
        _run(
            lambda g: accept(
                g, decision_id, actor or default_actor(), expected_version=if_version, note=note
            )
        )

    @decisions_app.command("enforce")
    def enforce_cmd(
        decision_id: str,
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
        _run(
            lambda g: enforce(
                g,
                decision_id,
                actor or default_actor(),
                platform=platform,
                reference=reference,
                control_kind=control_kind,
                expected_version=if_version,
                note=note,
            )
        )

    @decisions_app.command("verify")
    def verify_cmd(
        decision_id: str,
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
        if method is Method.target_read:
            from app.parity.lifecycle import verify_from_parity

            _run(
                lambda g: verify_from_parity(
                    g,
                    decision_id,
                    actor or default_actor(),
                    target=target,
                    expected_version=if_version,
                )
            )
            return
        if result is None:
            fail("--result pass|fail is required for this method")
        _run(
            lambda g: verify(
                g,
                decision_id,
                actor or default_actor(),
                method=method.value,  # type: ignore[arg-type]  # target-read returned above
                result=result.value,
                verified_at=at,
                expected_version=if_version,
                note=note,
            )
        )


def events_cmd(
    decision: str | None = typer.Option(None, help="One decision's events."),
    actor: str | None = typer.Option(None, help="One actor's events."),
    limit: int = typer.Option(1000, min=1, max=100_000),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The ownership event log, newest first."""
    with graph() as connected:
        rows = events(connected, decision_id=decision, actor=actor, limit=limit)
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = Table("at", "actor", "action", "decision", "before", "after")
    for row in rows:
        table.add_row(
            row["at"],
            row["actor"],
            row["action"],
            row["decision_id"],
            f"{row['before_status']} {row['before_owner'] or ''}",
            f"{row['after_status']} {row['after_owner'] or ''}",
        )
    out.print(table)
