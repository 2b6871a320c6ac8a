"""``authmap collect SOURCE --out FILE`` (to a snapshot file, no Neo4j needed) and ``authmap
ingest SOURCE`` (collect, load as one sync run, then derive), for every source declared in
:mod:`app.cli.sources`.

Each source is declared once (:class:`SourceCommand`): a function whose parameters are the
source's command-line options and which returns the source's typed options, and the entry
that opens a collector from them. :func:`register` makes both commands from it. Everything
else is :mod:`app.sync`; this module parses and prints.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from app import sync
from app.cli.common import EXIT_ERROR, err, fail, graph, out
from app.records.contract import Collector, SourceError
from app.snapshot import SnapshotError

collect_app = typer.Typer(
    help="Collect a source into a snapshot file (no Neo4j needed).", no_args_is_help=True
)
ingest_app = typer.Typer(
    help="Collect a source and load it into the graph in one go.", no_args_is_help=True
)

OUT = inspect.Parameter(
    "out_path",
    inspect.Parameter.KEYWORD_ONLY,
    default=typer.Option(..., "--out", help="Snapshot file (.jsonl or .jsonl.gz)."),
    annotation=Path,
)


@dataclass(frozen=True)
class SourceCommand:
    """One source on the command line, declared once for ``collect`` and ``ingest``.

    ``options``' parameters (Typer options and arguments) are the source's command-line
    options; it returns the typed options ``entry`` (``"module:function"``, imported only
    when the command runs) opens a collector from."""

    name: str
    options: Callable[..., Any]
    entry: str
    collect_help: str
    ingest_help: str


@contextmanager
def opened(source: SourceCommand, options: Any) -> Iterator[Collector]:
    """The collector ``source`` opens from ``options``; a :class:`SourceError` is one line and
    exit 2. Closed when the block ends."""
    module, _, name = source.entry.partition(":")
    open_collector: Callable[[Any], Collector] = getattr(importlib.import_module(module), name)
    try:
        collector = open_collector(options)
    except SourceError as exc:
        fail(escape(str(exc)))
    try:
        yield collector
    finally:
        collector.close()


@contextmanager
def spinner(where: str) -> Iterator[sync.Progress]:
    """A transient progress line on stderr, fed by :mod:`app.sync`'s progress callback."""
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task(f"collecting from {where}", total=None)
        loaded = 0

        def progress(stage: str, done: int) -> None:
            nonlocal loaded
            if stage == "collect":
                bar.update(task, description=f"collecting from {where}: {done} records")
            elif stage == "load":
                loaded += done
                bar.update(task, description=f"loading: {loaded} nodes")
            else:
                bar.update(task, description=f"{stage}...")

        yield progress


def print_collected(summary: sync.CollectSummary) -> None:
    """The counts of a collection (stdout), and its gaps (stderr)."""
    counts, *gaps = summary.describe()
    out.print(counts)
    for gap in gaps:
        err.print(gap)


def collection_failed(failed: sync.CollectionFailed) -> NoReturn:
    """One error line (and the failed run, if :func:`app.sync.ingest` recorded one); exit 2."""
    err.print(f"[bold red]error:[/] {escape(str(failed))}", highlight=False, markup=True)
    if failed.run is not None:
        out.print(f"Run {failed.run} recorded as failed", highlight=False)  # stderr: one line
    elif failed.unrecorded is not None:
        err.print(f"warning: the failed run could not be recorded: {escape(failed.unrecorded)}")
    raise typer.Exit(EXIT_ERROR)


def collect(source: SourceCommand, options: Any, out_path: Path) -> None:
    """``authmap collect SOURCE``: a snapshot file."""
    with opened(source, options) as collector:
        try:
            with spinner(collector.where) as progress:
                summary = sync.write_snapshot(collector, out_path, progress)
        except sync.CollectionFailed as failed:
            collection_failed(failed)
    print_collected(summary)
    out.print(f"Snapshot written to {out_path}")


def ingest(source: SourceCommand, options: Any) -> None:
    """``authmap ingest SOURCE``: collect, load as one sync run, derive."""
    with graph() as connected, opened(source, options) as collector:
        try:
            with spinner(collector.where) as progress:
                result = sync.ingest(connected, collector, progress)
        except sync.CollectionFailed as failed:
            collection_failed(failed)
        except SnapshotError as exc:
            fail(f"the collected snapshot is invalid, nothing loaded: {escape(str(exc))}")
    print_collected(result.collected)
    report = result.load
    nodes, links = sum(report.nodes.values()), sum(report.links.values())
    out.print(
        f"Run {report.sync_run} {report.status}: {nodes} nodes, {links} relationships, "
        f"{report.removed} stale removed"
    )
    for name, count in report.missing.items():
        err.print(f"  warning: {count} {name} link(s) skipped: target not in the graph")
    out.print(result.derived.summary())


def register(source: SourceCommand) -> None:
    """Add ``collect NAME`` (the options plus ``--out``) and ``ingest NAME`` (the options)."""
    params = list(inspect.signature(source.options).parameters.values())

    def collect_cmd(**values: Any) -> None:
        out_path = values.pop("out_path")
        collect(source, source.options(**values), out_path)

    def ingest_cmd(**values: Any) -> None:
        ingest(source, source.options(**values))

    for command, extra, help_text in (
        (collect_cmd, [OUT], source.collect_help),
        (ingest_cmd, [], source.ingest_help),
    ):
        setattr(command, "__signature__", inspect.Signature([*params, *extra]))  # noqa: B010
        command.__doc__ = help_text
    collect_app.command(source.name)(collect_cmd)
    ingest_app.command(source.name)(ingest_cmd)
