"""``authmap effective`` and ``authmap who-can``: effective vSphere permissions, explained."""

from __future__ import annotations

import json
from enum import StrEnum

import typer
from rich.table import Table

from app.cli.common import fail, graph, out
from app.permissions import Answer, PermissionEngine, PermissionQueryError


class Format(StrEnum):
    """Output formats."""

    table = "table"
    json = "json"


def _summary(answer: Answer) -> str:
    grants = [s for s in answer.outcome.steps if s.effect in ("grant", "mask")]
    return "\n".join(s.text() for s in grants) or "no permission applies"


def _error(exc: PermissionQueryError) -> str:
    """The engine's message as a person reads it: names are quoted with ``repr``, which
    doubles the backslash of ``CORP\\alice``; show it once, as typed."""
    return str(exc).replace("\\\\", "\\")


def _print(
    answers: list[Answer], output: Format, *, by_principal: bool, only: str | None = None
) -> None:
    """Print the answers; with ``only`` (a privilege id) show that privilege, not them all."""
    if output is Format.json:
        rows = [a.to_dict() for a in answers]
        for row in rows:
            if only is not None:
                row["privileges"] = [p for p in row["privileges"] if p == only]
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    first = "principal" if by_principal else "entity"
    table = Table(first, "kind", "privileges", "because", show_lines=True)
    for a in answers:
        who = a.principal.name + ("" if a.principal.enabled else " (disabled)")
        name = who if by_principal else f"{a.entity.name}"
        kind = a.principal.kind if by_principal else a.entity.kind
        privileges = a.outcome.privileges & {only} if only is not None else a.outcome.privileges
        shown = ", ".join(sorted(privileges)[:6]) + (
            f" … ({len(privileges)} in all)" if len(privileges) > 6 else ""
        )
        table.add_row(name, kind, shown or "none", _summary(a))
    out.print(table)
    if not answers:
        out.print("Nothing found.")


def effective(
    principal: str = typer.Option(
        ..., "--principal", "-p", help="User or group as vCenter names it: 'CORP\\alice', a UPN."
    ),
    entity: str | None = typer.Option(
        None,
        "--entity",
        "-e",
        help="Entity name, managed object id (vm-42) or node id. Omit for the whole estate.",
    ),
    output: Format = typer.Option(Format.table, "--format", help="table or json."),
) -> None:
    """What a principal can do: its effective privileges per entity, and why.

    Follows vSphere's rules (propagation, most specific permission wins, a user's own
    permission beats its groups', union of groups, NoAccess masks, VMs inherit from folder and
    resource pool) through nested directory groups; see docs/permissions.md. Without --entity,
    lists every entity where a permission applies to the principal.
    """
    with graph() as connected:
        try:
            answers = PermissionEngine(connected).effective(principal, entity)
        except PermissionQueryError as exc:
            fail(_error(exc))
    _print(answers, output, by_principal=False)


def who_can(
    entity: str = typer.Option(
        ..., "--entity", "-e", help="Entity name, managed object id (vm-42) or node id."
    ),
    privilege: str | None = typer.Option(
        None, "--privilege", help="Only principals holding this privilege id."
    ),
    include_denied: bool = typer.Option(
        False,
        "--include-denied",
        help="Also list principals a permission reaches who end with nothing (NoAccess).",
    ),
    output: Format = typer.Option(Format.table, "--format", help="table or json."),
) -> None:
    """Who can do what on an entity: every user and group with privileges there, and why.

    Users reached through nested groups are listed one by one with the membership chain that
    brings the permission to them.
    """
    with graph() as connected:
        try:
            answers = PermissionEngine(connected).who_can(
                entity, privilege, include_denied=include_denied
            )
        except PermissionQueryError as exc:
            fail(_error(exc))
    _print(answers, output, by_principal=True, only=privilege)
