"""``authmap db``: the graph's schema and housekeeping."""

from __future__ import annotations

import json

import typer

from app.cli.common import fail, graph, out
from app.derive import run_derive
from app.graph.sync_runs import mark_abandoned_runs

app = typer.Typer(help="Prepare and inspect the graph database.", no_args_is_help=True)


@app.command()
def init() -> None:
    """Apply cypher/schema.cypher (constraints and indexes). Safe to run any number of times."""
    with graph() as connected:
        count = connected.apply_schema()
        out.print(f"Schema applied to {connected.uri} ({count} statements).")


@app.command()
def stats(as_json: bool = typer.Option(False, "--json", help="JSON output.")) -> None:
    """Node counts per label, and the latest sync runs (a run whose process is gone is marked
    failed first, with the reason)."""
    with graph() as connected:
        mark_abandoned_runs(connected)
        labels = connected.read("admin/label_counts")
        runs = connected.read("sync/runs", {"limit": 10})
    if as_json:
        typer.echo(json.dumps({"labels": labels, "runs": runs}, indent=2))
        return
    for row in labels:
        out.print(f"{row['label']:<28} {row['count']:>10}")
    for run in runs:
        error = f"  {run['error']}" if run["status"] == "failed" and run["error"] else ""
        out.print(f"run {run['id']}  {run['status']}  {run['started_at']}{error}")


@app.command()
def reset(
    yes: bool = typer.Option(False, "--yes", help="Confirm: delete EVERYTHING, human data too."),
) -> None:
    """Delete every node and relationship in the database (owners and events included)."""
    if not yes:
        fail("this deletes everything, ownership and events included: pass --yes to confirm")
    with graph() as connected:
        deleted = connected.write_chunked("admin/wipe", {})
    out.print(f"Deleted {deleted} nodes.")


def derive() -> None:
    """Re-run every derivation on the current graph: principal resolution, runbook references,
    NSX scopes, permission inheritance, the decisions with their blast radii, and retirement of
    decisions whose source is gone. Loads and ingests do this automatically."""
    with graph() as connected:
        report = run_derive(connected)
    out.print(report.summary())
