"""``authmap report``: the Day-90 readiness report, in Markdown and HTML."""

from __future__ import annotations

from pathlib import Path

import typer

from app.cli.common import graph, out
from app.report import build_report, write_report


def report(
    out_dir: Path = typer.Option(
        Path("authmap-report"),
        "--out",
        help="Directory to write readiness.md, readiness.html, readiness.json and the CSVs into.",
    ),
    viewer: str | None = typer.Option(
        None,
        "--viewer",
        help="Base URL of a running `authmap serve` (e.g. http://127.0.0.1:8000): the HTML "
        "links each decision into the viewer.",
    ),
) -> None:
    """Write the Day-90 readiness report: per category and workstream, decisions inventoried,
    owned, enforced and verified, and the authority vacuums ranked by blast radius."""
    with graph() as connected:
        built = build_report(connected)
    written = write_report(built, out_dir, viewer=viewer)
    total = built.total
    out.print(
        f"Day-90 readiness: {total.verified} of {total.inventoried} decisions verified. "
        f"Written {', '.join(str(p) for p in written)}"
    )
