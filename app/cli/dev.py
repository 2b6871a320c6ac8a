"""``authmap dev``: maintenance commands for authmap's own developers."""

from __future__ import annotations

import typer

from app import docgen
from app.cli.common import fail, out
from app.graph import codegen
from app.graph.cypher_files import cypher_dir

app = typer.Typer(help="Developer commands (code and docs generation).", no_args_is_help=True)


@app.command("codegen")
def codegen_cmd() -> None:
    """Regenerate cypher/schema.cypher and the load/cleanup statements from app/graph/model.py."""
    written = codegen.write_all(cypher_dir())
    out.print(f"{len(written)} file(s) rewritten.")
    for path in written:
        out.print(f"  {path}")


@app.command("docs")
def docs_cmd(
    check: bool = typer.Option(
        False, "--check", help="Write nothing; exit 1 if a generated file is out of date."
    ),
) -> None:
    """Regenerate docs/cli.md (from the commands), the README's settings table (from
    app/config.py) and the reference part of docs/graph-model.md (from app/graph/model.py)."""
    try:
        changed = docgen.stale() if check else docgen.write()
    except docgen.DocsError as exc:
        fail(str(exc))
    for path in changed:
        out.print(f"{'out of date' if check else 'rewritten'}: {path}")
    if check and changed:
        raise typer.Exit(1)
    if not changed:
        out.print("generated docs are up to date")
