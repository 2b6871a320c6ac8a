"""``authmap load``: load snapshot files into the graph."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from app.cli.common import err, fail, graph, out
from app.derive import run_derive
from app.graph import Graph
from app.graph.loader import LoadReport, load_snapshot
from app.snapshot import SnapshotError, SnapshotSummary, validate


def load(
    snapshots: list[Path] = typer.Argument(..., help="Snapshot files (.jsonl or .jsonl.gz)."),
    check: bool = typer.Option(False, "--check", help="Only validate; write nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print the load reports as JSON."),
) -> None:
    """Validate every snapshot completely, then load each as one sync run.

    A bad file is refused with the line and field of the problem, and nothing is written.
    """
    summaries: list[tuple[Path, SnapshotSummary]] = []
    for path in snapshots:
        try:
            summaries.append((path, validate(path)))
        except SnapshotError as exc:
            fail(f"snapshot refused, nothing loaded: {exc}")
    if check:
        for path, summary in summaries:
            source = summary.header.source
            out.print(
                f"{path}: valid {source.kind} snapshot of {source.id}, "
                f"{summary.trailer.records} records"
            )
        return
    with graph() as connected:
        connected.apply_schema()
        reports = [_load_one(connected, path, s, quiet=as_json) for path, s in summaries]
        derived = run_derive(connected)
    if as_json:
        typer.echo(json.dumps([r.as_dict() for r in reports], indent=2))
    else:
        out.print(derived.summary())


def _load_one(connected: Graph, path: Path, summary: SnapshotSummary, *, quiet: bool) -> LoadReport:
    """Load one validated snapshot with a progress bar; print its outcome unless ``quiet``."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task(f"loading {path.name}", total=summary.trailer.records)

        def advance(name: str, rows: int, task: TaskID = task) -> None:
            if "-" not in name:  # node batches; relationship batches follow them
                bar.advance(task, rows)

        report = load_snapshot(connected, path, summary=summary, progress=advance)
    if not quiet:
        nodes = sum(report.nodes.values())
        links = sum(report.links.values())
        out.print(
            f"{path}: run {report.sync_run} {report.status}: {nodes} nodes, "
            f"{links} relationships, {report.removed} stale removed"
        )
        for name, count in report.missing.items():
            err.print(
                f"  warning: {count} {name} link(s) skipped: target not in the graph"
                f" (e.g. {', '.join(report.missing_samples.get(name, [])[:3])})"
            )
    return report
