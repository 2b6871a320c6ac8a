"""``authmap collect SOURCE`` (to a snapshot file, no Neo4j needed) and ``authmap ingest
SOURCE`` (collect, then load as one sync run)."""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from pathlib import Path

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from app.cli.common import err, fail, graph, out
from app.graph.loader import load_snapshot
from app.records import Record
from app.snapshot import SnapshotError, SnapshotWriter, SourceIdentity

collect_app = typer.Typer(
    help="Collect a source into a snapshot file (no Neo4j needed).", no_args_is_help=True
)
ingest_app = typer.Typer(
    help="Collect a source and load it into the graph in one go.", no_args_is_help=True
)

SERVER = typer.Option(..., "--server", help="vCenter HOST[:PORT].")
USER = typer.Option(..., "--user", help="User name, e.g. administrator@vsphere.local.")
PASSWORD_ENV = typer.Option(
    None,
    "--password-env",
    metavar="VAR",
    help="Read the password from this environment variable (else you are prompted).",
)
CA_FILE = typer.Option(None, "--ca-file", help="CA certificate(s) to verify the server with.")
INSECURE = typer.Option(False, "--insecure", help="Do NOT verify the server's TLS certificate.")


def _password(var: str | None) -> str:
    if var:
        value = os.environ.get(var)
        if value is None:
            fail(f"environment variable {var} is not set")
        return value
    return str(typer.prompt("Password", hide_input=True))


def _collect_vcenter(
    server: str,
    user: str,
    password_env: str | None,
    ca_file: Path | None,
    insecure: bool,
    out_path: Path,
) -> Path:
    from ingest.vcenter import VCenterConnectionError, VCenterTarget, connect
    from ingest.vcenter.collection import collect_everything
    from ingest.vcenter.connection import disconnect

    try:
        target = VCenterTarget.parse(
            server, user, _password(password_env), ca_file=ca_file, insecure=insecure
        )
        service_instance = connect(target)
    except VCenterConnectionError as exc:
        fail(str(exc))
    counts: Counter[str] = Counter()
    try:
        content = service_instance.RetrieveContent()
        source = SourceIdentity(kind="vcenter", id=content.about.instanceUuid, name=target.server)
        with (
            SnapshotWriter(out_path, source) as writer,
            Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                TimeElapsedColumn(),
                console=err,
                transient=True,
            ) as bar,
        ):
            task = bar.add_task("collecting", total=None)

            def sink(record: Record) -> None:
                writer.write(record)
                counts[record.kind] += 1
                if writer.count % 500 == 0:
                    bar.update(task, description=f"collecting: {writer.count} records")

            collect_everything(service_instance, target, sink, writer.gap)
            gaps = list(writer.gaps)
    except Exception as exc:  # the server went away or answered nonsense mid-collection
        reason = getattr(exc, "msg", None) or str(exc) or type(exc).__name__
        fail(
            f"collection from {target.server} failed after {sum(counts.values())} records "
            f"({type(exc).__name__}: {reason}); no snapshot was written and nothing was loaded"
        )
    finally:
        disconnect(service_instance)
    summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
    out.print(f"Collected {sum(counts.values())} records from {target.server}: {summary}")
    for gap in gaps:
        err.print(f"  gap: {gap.what}: {gap.reason} ({gap.entity})")
    return out_path


@collect_app.command("vcenter")
def collect_vcenter_cmd(
    server: str = SERVER,
    user: str = USER,
    password_env: str | None = PASSWORD_ENV,
    ca_file: Path | None = CA_FILE,
    insecure: bool = INSECURE,
    out_path: Path = typer.Option(..., "--out", help="Snapshot file (.jsonl or .jsonl.gz)."),
) -> None:
    """Collect a vCenter's governance configuration into a snapshot file."""
    _collect_vcenter(server, user, password_env, ca_file, insecure, out_path)
    out.print(f"Snapshot written to {out_path}")


@ingest_app.command("vcenter")
def ingest_vcenter_cmd(
    server: str = SERVER,
    user: str = USER,
    password_env: str | None = PASSWORD_ENV,
    ca_file: Path | None = CA_FILE,
    insecure: bool = INSECURE,
) -> None:
    """Collect a vCenter and load it into the graph (one sync run)."""
    with graph() as connected, tempfile.TemporaryDirectory(prefix="authmap-") as tmp:
        path = _collect_vcenter(
            server, user, password_env, ca_file, insecure, Path(tmp) / "vcenter.jsonl.gz"
        )
        connected.apply_schema()
        try:
            report = load_snapshot(connected, path)
        except SnapshotError as exc:
            fail(f"the collected snapshot is invalid, nothing loaded: {exc}")
    nodes, links = sum(report.nodes.values()), sum(report.links.values())
    out.print(
        f"Run {report.sync_run} {report.status}: {nodes} nodes, {links} relationships, "
        f"{report.removed} stale removed"
    )
    for name, count in report.missing.items():
        err.print(f"  warning: {count} {name} link(s) skipped: target not in the graph")
