"""``authmap teams`` and ``authmap platforms``: who owns decisions on the target, and where."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TypeVar

import typer
from pydantic import ValidationError
from rich.table import Table

from app.cli.common import ACTOR, fail, graph, out
from app.lifecycle import (
    TargetPlatform,
    Team,
    default_actor,
    platforms,
    teams,
    upsert_platform,
    upsert_team,
)

teams_app = typer.Typer(help="Teams that own decisions on the target.", no_args_is_help=True)
platforms_app = typer.Typer(help="Target platforms.", no_args_is_help=True)

JSON = typer.Option(False, "--json", help="JSON output.")
T = TypeVar("T")


def model(factory: Callable[[], T]) -> T:
    """``factory()``, with a validation error turned into one clear line (exit 2)."""
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
    team = model(lambda: Team(name=name, contact=contact, directory_group=directory_group))
    with graph() as connected:
        upsert_team(connected, team, actor or default_actor())
    out.print(f"team {team.name} saved", highlight=False)


@teams_app.command("list")
def team_list(as_json: bool = JSON) -> None:
    """Teams (target platforms: `authmap platforms list`)."""
    with graph() as connected:
        found = teams(connected)
    if as_json:
        typer.echo(json.dumps([t.model_dump() for t in found], indent=2, ensure_ascii=False))
        return
    table = Table("name", "contact", "directory group")
    for t in found:
        table.add_row(t.name, t.contact or "", t.directory_group or "")
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
    platform = model(lambda: TargetPlatform(name=name, kind=kind))
    with graph() as connected:
        upsert_platform(connected, platform, actor or default_actor())
    out.print(f"platform {platform.name} saved", highlight=False)


@platforms_app.command("list")
def platform_list(as_json: bool = JSON) -> None:
    """Target platforms."""
    with graph() as connected:
        found = platforms(connected)
    if as_json:
        typer.echo(json.dumps([p.model_dump() for p in found], indent=2, ensure_ascii=False))
        return
    table = Table("name", "kind")
    for p in found:
        table.add_row(p.name, p.kind)
    out.print(table)
