"""``authmap decisions``: the decisions derived from the sources."""

from __future__ import annotations

import json
from enum import StrEnum

import typer
from rich.table import Table

from app.cli.common import fail, graph, out
from app.decisions import CATEGORIES, list_decisions

app = typer.Typer(
    help="List the governance decisions derived from the sources.", no_args_is_help=True
)


class Format(StrEnum):
    """Output formats."""

    table = "table"
    json = "json"


@app.command("list")
def list_cmd(
    category: str | None = typer.Option(None, help=f"One of: {', '.join(CATEGORIES)}."),
    state: str | None = typer.Option(None, help="active or retired (default: both)."),
    status: str | None = typer.Option(
        None, help="unowned, assigned, accepted, enforced, verified or retired."
    ),
    output: Format = typer.Option(Format.table, "--format", help="table or json."),
) -> None:
    """Decisions with their category, kind, summary, evidence and affected VMs."""
    if category is not None and category not in CATEGORIES:
        fail(f"unknown category {category!r}: use one of {', '.join(CATEGORIES)}")
    if state not in (None, "active", "retired"):
        fail("--state must be active or retired")
    with graph() as connected:
        found = list_decisions(connected, category=category, state=state, status=status)
    if output is Format.json:
        typer.echo(json.dumps([d.model_dump() for d in found], indent=2, ensure_ascii=False))
        return
    table = Table("category", "kind", "summary", "status", "VMs")
    for d in found:
        table.add_row(d.category, d.kind, d.summary, d.status, str(len(d.affects)))
    out.print(table)
    out.print(f"{len(found)} decision(s)")
