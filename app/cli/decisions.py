"""``authmap decisions``: the decisions derived from the sources."""

from __future__ import annotations

import json
from enum import StrEnum

import typer
from rich.table import Table

from app.cli.common import fail, graph, out, shown
from app.decisions import CATEGORIES, STATUSES, page

app = typer.Typer(
    help="List the governance decisions derived from the sources, and take each through its "
    "ownership lifecycle (assign, accept, enforce, verify).",
    no_args_is_help=True,
)


class Format(StrEnum):
    """Output formats."""

    table = "table"
    json = "json"


@app.command("list")
def list_cmd(
    category: str | None = typer.Option(None, help=f"One of: {', '.join(CATEGORIES)}."),
    state: str | None = typer.Option(None, help="active or retired (default: both)."),
    status: str | None = typer.Option(None, help=f"One of: {', '.join(STATUSES)}."),
    team: str | None = typer.Option(None, help="Only decisions assigned to this team."),
    search: str | None = typer.Option(
        None, "--search", "-s", help="Only decisions whose id or summary contains this text."
    ),
    limit: int | None = typer.Option(
        None, "--limit", min=1, help="At most this many (default: all)."
    ),
    offset: int = typer.Option(0, "--offset", min=0, help="Skip this many first (paging)."),
    output: Format = typer.Option(Format.table, "--format", help="table or json."),
) -> None:
    """Decisions with their short id, category, kind, summary, status and affected VMs.

    The lifecycle commands (assign, accept, enforce, verify) and `authmap events --decision`
    take the short id (or the full id, which --format json shows)."""
    if category is not None and category not in CATEGORIES:
        fail(f"unknown category {category!r}: use one of {', '.join(CATEGORIES)}")
    if state not in (None, "active", "retired"):
        fail("--state must be active or retired")
    if status is not None and status not in STATUSES:
        fail(f"unknown status {status!r}: use one of {', '.join(STATUSES)}")
    with graph() as connected:
        found = page(
            connected,
            category=category,
            state=state,
            status=status,
            team=team,
            text=search,
            limit=limit or 2**31 - 1,
            offset=offset,
        )
    if output is Format.json:
        rows = [d.model_dump() for d in found.items]
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = Table("id", "category", "kind", "summary", "status", "team", "VMs")
    for d in found.items:
        table.add_row(
            d.short_id, d.category, d.kind, d.summary, d.status, d.team or "", str(d.blast_radius)
        )
    out.print(table)
    out.print(shown(offset, len(found.items), found.total, "decision"), highlight=False)
