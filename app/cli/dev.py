"""``authmap dev``: maintenance commands for authmap's own developers."""

from __future__ import annotations

import typer

from app.cli.common import out
from app.graph import codegen
from app.graph.cypher_files import cypher_dir

app = typer.Typer(help="Developer commands (code generation).", no_args_is_help=True)


@app.command("codegen")
def codegen_cmd() -> None:
    """Regenerate cypher/schema.cypher and the load/cleanup statements from app/graph/model.py."""
    written = codegen.write_all(cypher_dir())
    out.print(f"{len(written)} file(s) rewritten.")
    for path in written:
        out.print(f"  {path}")
