"""``authmap report``: the Day-90 readiness report, in Markdown and HTML."""

from __future__ import annotations

from pathlib import Path

import typer

from app.cli.common import graph, out
from app.report import build_report, to_html, to_markdown


def report(
    out_dir: Path = typer.Option(
        Path("authmap-report"),
        "--out",
        help="Directory to write readiness.md and readiness.html into.",
    ),
) -> None:
    """Write the Day-90 readiness report: per category and workstream, decisions inventoried,
    owned, enforced and verified, and the authority vacuums ranked by blast radius."""
    with graph() as connected:
        built = build_report(connected)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "readiness.md").write_text(to_markdown(built), encoding="utf-8")
    (out_dir / "readiness.html").write_text(to_html(built), encoding="utf-8")
    total = built.total
    out.print(
        f"Day-90 readiness: {total.verified} of {total.inventoried} decisions verified. "
        f"Written {out_dir / 'readiness.md'} and {out_dir / 'readiness.html'}"
    )
