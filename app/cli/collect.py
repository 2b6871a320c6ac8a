"""``authmap collect SOURCE`` (to a snapshot file, no Neo4j needed) and ``authmap ingest
SOURCE`` (collect, load as one sync run, then derive)."""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from app.cli.common import EXIT_ERROR, err, fail, graph, out
from app.derive import run_derive
from app.graph import Graph, GraphError
from app.graph.loader import load_snapshot, record_failed_run
from app.records import Record
from app.records.contract import SourceIdentity
from app.snapshot import SnapshotError, SnapshotWriter

collect_app = typer.Typer(
    help="Collect a source into a snapshot file (no Neo4j needed).", no_args_is_help=True
)
ingest_app = typer.Typer(
    help="Collect a source and load it into the graph in one go.", no_args_is_help=True
)

Sink = Callable[[Record], None]
GapSink = Callable[[str, str, str | None], None]
Fill = Callable[[Sink, GapSink], object]

USER_VC = typer.Option(..., "--user", help="User name, e.g. auditor@vsphere.local.")
USER_AD = typer.Option(..., "--user", help="Bind as a DN, a UPN or DOMAIN\\name.")
PASSWORD_ENV = typer.Option(
    None,
    "--password-env",
    metavar="VAR",
    help="Read the password from this environment variable (else you are prompted).",
)
CA_FILE = typer.Option(None, "--ca-file", help="CA certificate(s) to verify the server with.")
INSECURE = typer.Option(False, "--insecure", help="Do NOT verify the server's TLS certificate.")
OUT = typer.Option(..., "--out", help="Snapshot file (.jsonl or .jsonl.gz).")


class CollectionFailed(typer.Exit):
    """A collection broke off mid-way (the server went away or answered nonsense). Its message
    is already on stderr; it exits like :func:`~app.cli.common.fail` (code 2), and ``ingest``
    first records it as a failed sync run of ``source``. ``error`` holds no secrets."""

    def __init__(self, source: SourceIdentity, error: str) -> None:
        super().__init__(EXIT_ERROR)
        self.source = source
        self.error = error


def _password(var: str | None) -> str:
    if var:
        value = os.environ.get(var)
        if value is None:
            fail(f"environment variable {var} is not set")
        return value
    return str(typer.prompt("Password", hide_input=True))


def write_snapshot(out_path: Path, source: SourceIdentity, fill: Fill, what: str) -> Path:
    """Run ``fill`` into a new snapshot with a progress display and a summary of counts.
    Any failure mid-collection is one clear line and a :class:`CollectionFailed` exit; no file
    is left behind."""
    counts: Counter[str] = Counter()
    try:
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
            task = bar.add_task(f"collecting from {what}", total=None)

            def sink(record: Record) -> None:
                writer.write(record)
                counts[record.kind] += 1
                if writer.count % 500 == 0:
                    bar.update(task, description=f"collecting from {what}: {writer.count} records")

            fill(sink, writer.gap)
            gaps = list(writer.gaps)
    except Exception as exc:  # the server went away or answered nonsense mid-collection
        reason = getattr(exc, "msg", None) or str(exc) or type(exc).__name__
        error = (
            f"collection from {what} failed after {sum(counts.values())} records "
            f"({type(exc).__name__}: {reason})"
        )
        message = f"{error}; no snapshot was written and nothing was loaded"
        err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, markup=True)
        raise CollectionFailed(source, error) from None
    summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
    out.print(f"Collected {sum(counts.values())} records from {what}: {summary}")
    for gap in gaps:
        err.print(f"  gap: {gap.what}: {gap.reason}" + (f" ({gap.entity})" if gap.entity else ""))
    return out_path


def ingest_with(collect: Callable[[Path], Path]) -> None:
    """Collect into a temporary snapshot, load it as one sync run, then derive. A collection
    that breaks off is recorded as a failed sync run (nothing is loaded or removed)."""
    with graph() as connected, tempfile.TemporaryDirectory(prefix="authmap-") as tmp:
        try:
            path = collect(Path(tmp) / "snapshot.jsonl.gz")
        except CollectionFailed as failed:
            _record_failure(connected, failed)
            raise
        connected.apply_schema()
        try:
            report = load_snapshot(connected, path)
        except SnapshotError as exc:
            fail(f"the collected snapshot is invalid, nothing loaded: {exc}")
        derived = run_derive(connected)
    nodes, links = sum(report.nodes.values()), sum(report.links.values())
    out.print(
        f"Run {report.sync_run} {report.status}: {nodes} nodes, {links} relationships, "
        f"{report.removed} stale removed"
    )
    for name, count in report.missing.items():
        err.print(f"  warning: {count} {name} link(s) skipped: target not in the graph")
    out.print(derived.summary())


def _record_failure(connected: Graph, failed: CollectionFailed) -> None:
    try:
        run = record_failed_run(connected, failed.source, failed.error)
    except GraphError as exc:
        err.print(f"warning: the failed run could not be recorded: {escape(str(exc))}")
        return
    out.print(f"Run {run} recorded as failed", highlight=False)  # stderr keeps one error line


# -- vCenter ---------------------------------------------------------------------------------
def _vcenter(
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
    try:
        about = service_instance.RetrieveContent().about
        source = SourceIdentity(kind="vcenter", id=about.instanceUuid, name=target.server)
        return write_snapshot(
            out_path,
            source,
            lambda sink, gap: collect_everything(service_instance, target, sink, gap),
            target.server,
        )
    finally:
        disconnect(service_instance)


VC_SERVER = typer.Option(..., "--server", help="vCenter HOST[:PORT].")


@collect_app.command("vcenter")
def collect_vcenter_cmd(
    server: str = VC_SERVER,
    user: str = USER_VC,
    password_env: str | None = PASSWORD_ENV,
    ca_file: Path | None = CA_FILE,
    insecure: bool = INSECURE,
    out_path: Path = OUT,
) -> None:
    """Collect a vCenter's governance configuration into a snapshot file."""
    _vcenter(server, user, password_env, ca_file, insecure, out_path)
    out.print(f"Snapshot written to {out_path}")


@ingest_app.command("vcenter")
def ingest_vcenter_cmd(
    server: str = VC_SERVER,
    user: str = USER_VC,
    password_env: str | None = PASSWORD_ENV,
    ca_file: Path | None = CA_FILE,
    insecure: bool = INSECURE,
) -> None:
    """Collect a vCenter and load it into the graph (one sync run)."""
    ingest_with(lambda path: _vcenter(server, user, password_env, ca_file, insecure, path))


# -- Active Directory ------------------------------------------------------------------------
def _ad(
    servers: list[str],
    user: str,
    password_env: str | None,
    ca_file: Path | None,
    insecure: bool,
    starttls: bool,
    base_dn: str | None,
    range_step: int,
    out_path: Path,
) -> Path:
    from ingest.ad import ADConnectionError, ADTarget, collect_domain, connect
    from ingest.ad.collect import domain_info

    password = _password(password_env)
    targets = [
        ADTarget(url, user, password, starttls=starttls, ca_file=ca_file, insecure=insecure)
        for url in servers
    ]
    connections: list[Any] = []
    try:
        for target in targets:
            connections.append(connect(target))
        domains = [domain_info(conn) for conn in connections]
        forests = {domain.forest_dns for domain in domains}
    except (ADConnectionError, RuntimeError) as exc:
        fail(str(exc))
    finally:
        if len(connections) < len(targets):
            for conn in connections:
                conn.unbind()
    if len({domain.sid for domain in domains}) != len(domains):
        fail("two --server values serve the same domain: give one domain controller per domain")
    if len(forests) != 1:
        fail(
            f"the servers belong to different forests ({', '.join(sorted(forests))}): "
            "collect each forest into its own snapshot"
        )
    forest = forests.pop()
    source = SourceIdentity(kind="ad", id=f"forest:{forest}", name=forest)

    def fill(sink: Sink, gap: GapSink) -> None:
        for conn in connections:
            collect_domain(
                conn,
                sink,
                gap,
                range_step=range_step,
                base_dn=base_dn if len(connections) == 1 else None,
            )

    try:
        return write_snapshot(out_path, source, fill, ", ".join(t.where for t in targets))
    finally:
        for conn in connections:
            conn.unbind()


AD_SERVER = typer.Option(
    ...,
    "--server",
    help="ldaps://HOST[:PORT], or ldap://HOST[:PORT] with --starttls. Repeat it for the other "
    "domains of the forest (one domain controller each).",
)
STARTTLS = typer.Option(False, "--starttls", help="Upgrade ldap:// with StartTLS.")
BASE_DN = typer.Option(
    None, "--base-dn", help="Search base (default: the whole domain, from the rootDSE)."
)
RANGE_STEP = typer.Option(
    1500, "--range-step", min=10, help="Values per member range request (AD's MaxValRange is 1500)."
)


@collect_app.command("ad")
def collect_ad_cmd(
    server: list[str] = AD_SERVER,
    user: str = USER_AD,
    password_env: str | None = PASSWORD_ENV,
    base_dn: str | None = BASE_DN,
    ca_file: Path | None = CA_FILE,
    insecure: bool = INSECURE,
    starttls: bool = STARTTLS,
    range_step: int = RANGE_STEP,
    out_path: Path = OUT,
) -> None:
    """Collect Active Directory users, groups and memberships into a snapshot file."""
    _ad(server, user, password_env, ca_file, insecure, starttls, base_dn, range_step, out_path)
    out.print(f"Snapshot written to {out_path}")


@ingest_app.command("ad")
def ingest_ad_cmd(
    server: list[str] = AD_SERVER,
    user: str = USER_AD,
    password_env: str | None = PASSWORD_ENV,
    base_dn: str | None = BASE_DN,
    ca_file: Path | None = CA_FILE,
    insecure: bool = INSECURE,
    starttls: bool = STARTTLS,
    range_step: int = RANGE_STEP,
) -> None:
    """Collect Active Directory and load it into the graph (one sync run), then resolve the
    vCenter permissions' principals against it."""
    ingest_with(
        lambda path: _ad(
            server, user, password_env, ca_file, insecure, starttls, base_dn, range_step, path
        )
    )


# -- runbooks --------------------------------------------------------------------------------
def _runbooks(directory: Path, name: str | None, out_path: Path) -> Path:
    from ingest.runbooks import collect_runbooks

    if not directory.is_dir():
        fail(f"{directory} is not a directory")
    source_id = name or directory.resolve().name
    source = SourceIdentity(kind="runbooks", id=source_id, name=str(directory))
    return write_snapshot(
        out_path,
        source,
        lambda sink, gap: collect_runbooks(directory, source_id, sink, gap),
        str(directory),
    )


RUNBOOK_DIR = typer.Argument(
    ..., help="Directory of Markdown/text runbooks (searched recursively)."
)
RUNBOOK_NAME = typer.Option(
    None,
    "--name",
    help="A stable name for this runbook collection (default: the directory's name).",
)


@collect_app.command("runbooks")
def collect_runbooks_cmd(
    directory: Path = RUNBOOK_DIR, name: str | None = RUNBOOK_NAME, out_path: Path = OUT
) -> None:
    """Read runbooks into a snapshot file."""
    _runbooks(directory, name, out_path)
    out.print(f"Snapshot written to {out_path}")


@ingest_app.command("runbooks")
def ingest_runbooks_cmd(directory: Path = RUNBOOK_DIR, name: str | None = RUNBOOK_NAME) -> None:
    """Read runbooks, load them, link them to the source objects they name and flag
    vSphere-only vocabulary (see the runbook-rot audit)."""
    ingest_with(lambda path: _runbooks(directory, name, path))


# -- NSX -------------------------------------------------------------------------------------
def _nsx(
    url: str,
    user: str | None,
    password_env: str | None,
    ca_file: Path | None,
    insecure: bool,
    session: bool,
    page_size: int,
    from_files: list[Path],
    out_path: Path,
) -> Path:
    from ingest.nsx import (
        NsxClient,
        NsxConnectionError,
        NsxTarget,
        check_url,
        collect_export,
        collect_nsx,
        source_id,
    )

    try:
        check_url(url)
    except NsxConnectionError as exc:
        fail(str(exc))
    if from_files:
        target = NsxTarget(url, user or "", "")
        source = SourceIdentity(kind="nsx", id=source_id(target.host), name=target.host)
        for path in from_files:
            if not path.is_file():
                fail(f"--from-file {path} is not a readable file")
        # A file that is not an export (NsxExportError) fails inside write_snapshot: one line.
        return write_snapshot(
            out_path,
            source,
            lambda sink, gap: collect_export(from_files, source.id, sink, gap),
            ", ".join(str(p) for p in from_files),
        )
    if not user:
        fail("--user is required to collect from a live NSX manager (or give --from-file)")
    target = NsxTarget(
        url,
        user,
        _password(password_env),
        ca_file=ca_file,
        insecure=insecure,
        session=session,
        page_size=page_size,
    )
    source = SourceIdentity(kind="nsx", id=source_id(target.host), name=target.host)
    try:
        client = NsxClient(target)
    except NsxConnectionError as exc:
        fail(str(exc))
    with client:
        try:
            client.login()
        except NsxConnectionError as exc:
            fail(str(exc))
        return write_snapshot(
            out_path,
            source,
            lambda sink, gap: collect_nsx(client, source.id, sink, gap),
            client.where,
        )


NSX_URL = typer.Option(
    ...,
    "--url",
    help="The NSX manager, https://HOST[:PORT]; with --from-file it names the manager the "
    "export came from (the source identity).",
)
USER_NSX = typer.Option(None, "--user", help="NSX user (needed for a live collection).")
NSX_SESSION = typer.Option(
    False, "--session", help="Log in once (session cookie + XSRF token) instead of basic auth."
)
NSX_PAGE_SIZE = typer.Option(1000, "--page-size", min=1, max=1000, help="Objects per list page.")
NSX_FROM_FILE = typer.Option(
    [],
    "--from-file",
    help="Read a hierarchical GET /policy/api/v1/infra export instead of calling the manager "
    "(repeat it for project exports).",
)


@collect_app.command("nsx")
def collect_nsx_cmd(
    url: str = NSX_URL,
    user: str | None = USER_NSX,
    password_env: str | None = PASSWORD_ENV,
    ca_file: Path | None = CA_FILE,
    insecure: bool = INSECURE,
    session: bool = NSX_SESSION,
    page_size: int = NSX_PAGE_SIZE,
    from_file: list[Path] = NSX_FROM_FILE,
    out_path: Path = OUT,
) -> None:
    """Collect NSX segments, groups, firewall policies, gateways and VM tags into a snapshot."""
    _nsx(url, user, password_env, ca_file, insecure, session, page_size, from_file, out_path)
    out.print(f"Snapshot written to {out_path}")


@ingest_app.command("nsx")
def ingest_nsx_cmd(
    url: str = NSX_URL,
    user: str | None = USER_NSX,
    password_env: str | None = PASSWORD_ENV,
    ca_file: Path | None = CA_FILE,
    insecure: bool = INSECURE,
    session: bool = NSX_SESSION,
    page_size: int = NSX_PAGE_SIZE,
    from_file: list[Path] = NSX_FROM_FILE,
) -> None:
    """Collect NSX and load it into the graph (one sync run), then derive the network
    dependency map and the network-authority decisions."""
    ingest_with(
        lambda path: _nsx(
            url, user, password_env, ca_file, insecure, session, page_size, from_file, path
        )
    )
