"""``authmap owners``: ownership as code (YAML kept in git, reviewed, imported)."""

from __future__ import annotations

from pathlib import Path

import typer

from app.cli.common import fail, graph, out
from app.lifecycle import OwnershipError, default_actor
from app.owners_file import OwnersFileError, apply, dump, export, parse, plan

app = typer.Typer(help="Export and import ownership as a YAML file.", no_args_is_help=True)


@app.command("export")
def export_cmd() -> None:
    """Print teams, platforms and every owned decision as YAML (redirect it to a file)."""
    with graph() as connected:
        text = dump(export(connected))
    typer.echo(text, nl=False)


@app.command("import")
def import_cmd(
    path: Path,
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would change; write nothing."),
    actor: str | None = typer.Option(None, "--actor", help="Who imports (default: user@host)."),
) -> None:
    """Validate the whole file, then apply it in one transaction (all or nothing). Decisions
    not in the file are left as they are; an unchanged file changes nothing."""
    try:
        owners = parse(path)
    except OwnersFileError as exc:
        fail(f"{exc}; nothing imported")
    with graph() as connected:
        try:
            changes = plan(connected, owners)
            if dry_run:
                for wanted, now, _ in changes:
                    before = f"{now.status} by {now.team}" if now else "unowned"
                    out.print(f"{wanted.id}: {before} -> {wanted.status} by {wanted.team}")
                out.print(f"{len(changes)} decision(s) would change (dry run: nothing written)")
                return
            count = apply(connected, owners, actor or default_actor())
        except (OwnersFileError, OwnershipError) as exc:
            fail(f"{exc}; nothing imported")
    out.print(f"{count} decision(s) changed")
