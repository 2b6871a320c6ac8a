"""``authmap audit``: run the audits in ``cypher/audits/``; fail a pipeline on findings."""

from __future__ import annotations

from enum import StrEnum

import typer
from rich.table import Table

from app import audit_formats
from app.audits import AuditError, at_or_above, run_audits
from app.cli.common import EXIT_FINDINGS, fail, graph, out


class Format(StrEnum):
    """Output formats."""

    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"
    junit = "junit"
    html = "html"


class Level(StrEnum):
    """Severity thresholds."""

    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


def audit(
    only: list[str] = typer.Option([], "--only", help="Run only this audit (repeatable)."),
    output: Format = typer.Option(
        Format.table, "--format", help="table, json, csv, markdown, junit or html."
    ),
    fail_on: Level = typer.Option(
        Level.low, "--fail-on", help="Exit 1 when an audit of this severity or above has findings."
    ),
) -> None:
    """Run the audits. Exit 0: nothing at or above --fail-on; 1: findings at or above it;
    2: an error."""
    with graph() as connected:
        try:
            results = run_audits(connected, only or None)
        except AuditError as exc:
            fail(str(exc))
    if output is Format.table:
        table = Table("audit", "severity", "findings", "of", "title")
        for r in results:
            table.add_row(r.id, r.severity, str(r.count), str(r.total), r.title)
        out.print(table)
    else:
        render = {
            Format.json: audit_formats.to_json,
            Format.csv: audit_formats.to_csv,
            Format.markdown: audit_formats.to_markdown,
            Format.junit: audit_formats.to_junit,
            Format.html: audit_formats.to_html,
        }[output]
        typer.echo(render(results), nl=False)
    if at_or_above(results, fail_on.value):
        raise typer.Exit(EXIT_FINDINGS)
