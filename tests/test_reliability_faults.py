"""Faults during ingest (issue 9, reliability): servers killed mid-collection, Neo4j restarted
mid-load.

One small estate in the session's Neo4j: a vcsim, a Samba AD DC and the NSX replay server, each
ingested once through the CLI (in process), with one vCenter decision and one NSX decision
assigned, accepted, enforced and verified through ``app.ownership``. The DC runs on
127.0.0.40 and serves LDAPS with a self-signed certificate of its own (as
``tests.support.dc41`` does).

Each source test then runs ``authmap ingest`` again while killing that source's server in the
middle of the collection. The kill is deterministic: the collector the CLI calls is wrapped so
that its record sink SIGKILLs the server right after a chosen record (vCenter: the first role,
so the permissions are never read; AD: the 2nd user of a 4-entry page, so the next page is
never read; NSX: the first segment of a 2-per-page list, so the second page is never read).
Then: the run is recorded (failed; partial for NSX, whose client turns each unreadable list
into a gap), no source node or relationship is gone, no decision changed status, the
ownership counts and the whole event log are identical, and once the server is restarted the
next ingest completes.

The Neo4j test uses its own managed server (not the session's): it loads a synthetic vCenter
snapshot of 3,000 VMs in batches of 500, and when the loader reports its third VM batch a
second thread checks that the ``SyncRun`` is ``running`` with nodes written, stops Neo4j
(``authmap neo4j stop``'s code path) and starts it again; the loader's next batch meets the
stopped server and the driver's managed-transaction retry carries it through.
"""

from __future__ import annotations

import functools
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

import ingest.ad.collect
import ingest.ad.source
import ingest.nsx.source
import ingest.vcenter.source
from app import ownership
from app.cli import app as cli_app
from app.config import Settings
from app.graph import Graph
from app.graph.loader import load_snapshot
from app.localneo4j import LocalNeo4j
from app.records import Record
from app.records.contract import SourceIdentity
from app.records.vcenter import Cluster, Datacenter, Folder, Host, VCenter, VirtualMachine
from app.snapshot import SnapshotWriter
from tests.conftest import Neo4jInstance, free_port, query
from tests.support.dc41 import self_signed_cert, small_directory
from tests.support.nsx_replay import PASSWORD as NSX_PASSWORD
from tests.support.nsx_replay import USER as NSX_USER
from tests.support.nsx_replay import NsxReplay
from tests.support.samba_ad import SambaDC, TlsFiles
from tests.support.vcsim import VcsimServer, ensure_vcsim_binary

ADDRESS = "127.0.0.40"
VMS = 3_000
BATCH = 500


def _vcsim(binary: Path) -> VcsimServer:
    """A small model, the same after every restart (one host: vcsim places VMs at random)."""
    return VcsimServer(binary, cluster=1, host=1, vm=2, standalone_host=0)


# -- the estate --------------------------------------------------------------------------------


class Estate:
    """The three source servers, each of which a test may kill and restart."""

    def __init__(self, instance: Neo4jInstance, tls_dir: Path) -> None:
        self.instance = instance
        self.binary = ensure_vcsim_binary()
        self.template, _ = small_directory()
        self.dc_cert, self.dc_key = self_signed_cert(tls_dir, ADDRESS)
        cert, key = self_signed_cert(tls_dir, "127.0.0.1", name="nsx")
        self.nsx_tls = TlsFiles(ca_file=cert, key_file=key, cert_file=cert)
        self.vcsim = _vcsim(self.binary)
        self.dc = self._new_dc()
        self.nsx = NsxReplay(tls=self.nsx_tls)
        self.nsx_running = False
        try:
            self.vcsim.start()
            self._start_dc()
            self.nsx.__enter__()
            self.nsx_running = True
        except BaseException:
            self.close()
            raise

    def restart_vcsim(self) -> None:
        """A new vcsim of the same model (morefs and instanceUuid are stable)."""
        self.vcsim.stop()
        self.vcsim = _vcsim(self.binary).start()

    def _new_dc(self) -> SambaDC:
        options = [f"tls keyfile={self.dc_key}", f"tls certfile={self.dc_cert}", "tls cafile="]
        return SambaDC(self.template, ADDRESS, extra_options=options)

    def _start_dc(self) -> None:
        self.dc.start()

    def restart_dc(self) -> None:
        """A fresh copy of the same directory on the same address."""
        self.dc.stop()
        self.dc = self._new_dc()
        self._start_dc()

    def kill_nsx(self) -> None:
        """Stop serving at once: the listening socket closes (each request has its own
        connection, HTTP/1.0), so every later request is refused."""
        self.nsx.__exit__(None, None, None)
        self.nsx_running = False

    def restart_nsx(self) -> None:
        """The same manager again, on the same port (the port is part of its source id)."""
        port = int(self.nsx.url.rsplit(":", 1)[1])
        self.nsx = NsxReplay(port=port, tls=self.nsx_tls).__enter__()
        self.nsx_running = True

    def close(self) -> None:
        """Stop whatever still runs."""
        if self.nsx_running:
            self.nsx.__exit__(None, None, None)
        self.dc.stop()
        self.vcsim.stop()

    # -- ingests, in process (so a test can wrap the collector) ---------------------------

    def ingest(self, source: str) -> Result:
        """``authmap ingest SOURCE`` against the running server, through the Typer app."""
        if source == "vcenter":
            sim = self.vcsim
            args = ["--server", f"{sim.host}:{sim.port}", "--user", sim.username, "--insecure"]
            password = sim.password
        elif source == "ad":
            dc = self.dc
            args = ["--server", dc.ldaps_url, "--ca-file", str(self.dc_cert), "--user", dc.admin_dn]
            password = dc.admin_password
        else:
            nsx = self.nsx
            args = ["--url", nsx.url, "--user", NSX_USER, "--ca-file", str(nsx.ca_file)]
            password = NSX_PASSWORD
        env = {**self.instance.env, "FAULT_TEST_PW": password}
        return CliRunner().invoke(
            cli_app, ["ingest", source, *args, "--password-env", "FAULT_TEST_PW"], env=env
        )


def _own(graph: Graph, decision: str) -> None:
    ownership.assign(graph, decision, "team-a", "test")
    ownership.accept(graph, decision, "test")
    ownership.enforce(graph, decision, "test", platform="pve", reference=f"ctl {decision}")
    ownership.verify(graph, decision, "test", method="config_check", result="pass")


def _first_decision(instance: Neo4jInstance, kind_prefix: str) -> str:
    rows = query(
        instance,
        "MATCH (d:Decision {status: 'active'}) WHERE d.kind STARTS WITH $prefix "
        "RETURN d.id AS id ORDER BY d.id LIMIT 1",
        prefix=kind_prefix,
    )
    assert rows, f"no active {kind_prefix}* decision"
    return str(rows[0]["id"])


@pytest.fixture(scope="module")
def estate(
    neo4j_instance: Neo4jInstance, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Estate]:
    """The three sources ingested once (complete) into an emptied graph, two decisions owned."""
    with Graph(neo4j_instance.settings()) as graph:
        graph.write_chunked("admin/wipe", {})
        graph.apply_schema()
        world = Estate(neo4j_instance, tmp_path_factory.mktemp("faults-tls"))
        try:
            for source in ("vcenter", "ad", "nsx"):
                result = world.ingest(source)
                assert result.exit_code == 0, result.output
                assert _runs(neo4j_instance, source)[-1]["status"] == "complete"
            ownership.upsert_team(graph, ownership.Team(name="team-a"), "test")
            ownership.upsert_platform(graph, ownership.TargetPlatform(name="pve", kind="PVE"), "t")
            vcenter_decision = _first_decision(neo4j_instance, "cluster_")
            nsx_decision = _first_decision(neo4j_instance, "nsx_")
            _own(graph, vcenter_decision)
            _own(graph, nsx_decision)
            yield world
        finally:
            world.close()


# -- what must not change --------------------------------------------------------------------


def _runs(instance: Neo4jInstance, kind: str) -> list[dict[str, Any]]:
    return query(
        instance,
        "MATCH (s:SyncRun {source_kind: $kind}) "
        "RETURN s.id AS id, s.status AS status, s.error AS error, s.removed AS removed, "
        "s.gaps AS gaps ORDER BY s.started_at",
        kind=kind,
    )


def _source_graph(instance: Neo4jInstance) -> tuple[set[tuple[str, str]], Counter[tuple[str, ...]]]:
    """Every source node (labels, id) and every relationship touching one (type, ends)."""
    nodes = query(
        instance,
        "MATCH (n) WHERE n.source_id IS NOT NULL AND NOT n:SyncRun "
        "RETURN reduce(s = '', label IN labels(n) | s + ':' + label) AS labels, n.id AS id",
    )
    rels = query(
        instance,
        "MATCH (a)-[r]->(b) WHERE a.source_id IS NOT NULL OR b.source_id IS NOT NULL "
        "RETURN type(r) AS type, a.id AS a, b.id AS b",
    )
    return (
        {(row["labels"], row["id"]) for row in nodes},
        Counter((row["type"], str(row["a"]), str(row["b"])) for row in rels),
    )


def _human(instance: Neo4jInstance) -> dict[str, Any]:
    """Ownership counts, the whole event log and every decision's status and ownership."""
    counts = query(
        instance,
        "RETURN COUNT { ()-[:ASSIGNED_TO]->() } AS assignments, "
        "COUNT { (:Enforcement) } AS enforcements, COUNT { (:Verification) } AS verifications, "
        "COUNT { (:Event) } AS events, COUNT { ()-[:HAS_EVENT]->(:Event) } AS linked_events, "
        "COUNT { (:Team) } AS teams, COUNT { (:TargetPlatform) } AS platforms",
    )[0]
    events = query(instance, "MATCH (e:Event) RETURN properties(e) AS e ORDER BY e.id")
    decisions = query(
        instance,
        "MATCH (d:Decision) RETURN d.id AS id, d.status AS status, "
        "d.ownership_status AS ownership, d.version AS version ORDER BY d.id",
    )
    return {"counts": counts, "events": events, "decisions": decisions}


def _kill_during(
    monkeypatch: pytest.MonkeyPatch,
    module: Any,
    name: str,
    sink_at: int,
    kind: str,
    nth: int,
    kill: Callable[[], object],
) -> list[str]:
    """Wrap the collector ``module.name`` (its record sink is positional argument
    ``sink_at``) so that the sink kills the server right after the ``nth`` record of
    ``kind``. Returns the ids of the ``kind`` records seen (to check the kill happened)."""
    original = getattr(module, name)
    seen: list[str] = []

    @functools.wraps(original)
    def collector(*args: Any, **kwargs: Any) -> Any:
        sink: Callable[[Record], None] = args[sink_at]

        def tripping(record: Record) -> None:
            sink(record)
            if record.kind == kind:
                seen.append(record.id)
                if len(seen) == nth:
                    kill()

        return original(*args[:sink_at], tripping, *args[sink_at + 1 :], **kwargs)

    monkeypatch.setattr(module, name, collector)
    return seen


def _check_fault(
    estate: Estate,
    source: str,
    result: Result,
    before: tuple[Any, Any],
    password: str,
) -> dict[str, Any]:
    """The common assertions after a fault; returns the run it recorded."""
    instance = estate.instance
    assert "Traceback" not in result.output
    assert password not in result.output
    run = _runs(instance, source)[-1]
    assert run["removed"] == 0
    _assert_unchanged(instance, before)
    return run


def _assert_unchanged(instance: Neo4jInstance, before: tuple[Any, Any]) -> None:
    (nodes_before, rels_before), human_before = before
    nodes, rels = _source_graph(instance)
    assert (nodes_before - nodes, nodes - nodes_before) == (set(), set()), "source nodes changed"
    assert (rels_before - rels, rels - rels_before) == (Counter(), Counter()), "relationships"
    assert _human(instance) == human_before, "ownership, events or decisions changed"


def _check_rerun(estate: Estate, source: str, before: tuple[Any, Any]) -> None:
    result = estate.ingest(source)
    assert result.exit_code == 0, result.output
    run = _runs(estate.instance, source)[-1]
    assert (run["status"], run["removed"], run["error"]) == ("complete", 0, None)
    _assert_unchanged(estate.instance, before)


# -- the source servers killed mid-collection --------------------------------------------------


def test_vcsim_killed_mid_collection(estate: Estate, monkeypatch: pytest.MonkeyPatch) -> None:
    instance = estate.instance
    before = (_source_graph(instance), _human(instance))
    runs_before = len(_runs(instance, "vcenter"))
    roles = _kill_during(
        monkeypatch, ingest.vcenter.source, "collect_everything", 2, "Role", 1,
        estate.vcsim.kill,
    )  # fmt: skip
    result = estate.ingest("vcenter")
    assert roles  # the sink killed vcsim after the first role
    assert result.exit_code == 2, result.output
    assert "collection from 127.0.0.1 failed after" in result.stderr, result.stderr
    assert "recorded as failed" in result.stdout
    run = _check_fault(estate, "vcenter", result, before, estate.vcsim.password)
    assert len(_runs(instance, "vcenter")) == runs_before + 1
    assert run["status"] == "failed"
    assert run["error"].startswith("collection from 127.0.0.1 failed after"), run
    listed = CliRunner().invoke(cli_app, ["db", "stats", "--json"], env=instance.env)
    assert listed.exit_code == 0, listed.output
    assert f'"id": "{run["id"]}"' in listed.stdout and '"status": "failed"' in listed.stdout

    monkeypatch.undo()
    estate.restart_vcsim()
    _check_rerun(estate, "vcenter", before)


def test_samba_killed_mid_collection(estate: Estate, monkeypatch: pytest.MonkeyPatch) -> None:
    instance = estate.instance
    before = (_source_graph(instance), _human(instance))
    # The small directory fits one 500-entry page; pages of 4 make the kill land mid-paging.
    monkeypatch.setattr(ingest.ad.collect, "PAGE_SIZE", 4)
    users = _kill_during(
        monkeypatch, ingest.ad.source, "collect_domain", 1, "ADUser", 2, estate.dc.kill
    )
    result = estate.ingest("ad")
    # Killed after the 2nd user: the rest of the first page arrived, the next page never did.
    assert len(users) == 4 and not estate.dc.running
    assert result.exit_code == 2, result.output
    assert "failed after" in result.stderr and "recorded as failed" in result.stdout
    run = _check_fault(estate, "ad", result, before, estate.dc.admin_password)
    assert run["status"] == "failed" and "failed after" in run["error"], run

    monkeypatch.undo()
    estate.restart_dc()
    _check_rerun(estate, "ad", before)


def test_nsx_replay_killed_mid_collection(estate: Estate, monkeypatch: pytest.MonkeyPatch) -> None:
    instance = estate.instance
    before = (_source_graph(instance), _human(instance))
    # The client tries each request 4 times, waiting 1 s, 2 s and 4 s, before a refused
    # connection becomes a gap; the same tries 100 times faster keep this test short.
    fast_retries = functools.partial(ingest.nsx.NsxTarget, retry_wait=0.01)
    monkeypatch.setattr(ingest.nsx.source, "NsxTarget", fast_retries)
    segments = _kill_during(
        monkeypatch, ingest.nsx.source, "collect_nsx", 2, "NsxSegment", 1, estate.kill_nsx
    )
    result = estate.ingest("nsx")
    assert segments and not estate.nsx_running
    assert result.exit_code == 0, result.output  # a partial run is a normal outcome
    assert "partial" in result.stdout
    run = _check_fault(estate, "nsx", result, before, NSX_PASSWORD)
    assert run["status"] == "partial", run
    assert any(gap.startswith("NsxSegment: ") and "(page 2)" in gap for gap in run["gaps"]), run

    monkeypatch.undo()
    estate.restart_nsx()
    _check_rerun(estate, "nsx", before)


# -- Neo4j restarted mid-load ----------------------------------------------------------------

VC = "fault-vcenter-0000"


def _synthetic_snapshot(path: Path, vms: int) -> Path:
    """One cluster with DRS on (one decision), two hosts, 100 folders and ``vms`` VMs."""
    with SnapshotWriter(path, SourceIdentity(kind="vcenter", id=VC, name="synthetic")) as out:
        out.write(VCenter(id=VC, name="synthetic", instance_uuid=VC))
        out.write(Datacenter(id=f"{VC}:dc", moref="dc", name="DC0", vcenter=VC))
        out.write(
            Cluster(
                id=f"{VC}:c1", moref="c1", name="C1", parent=f"{VC}:dc", drs_enabled=True,
                drs_automation_level="fullyAutomated",
            )
        )  # fmt: skip
        for h in range(2):
            out.write(Host(id=f"{VC}:h{h}", moref=f"h{h}", name=f"esx{h}", cluster=f"{VC}:c1"))
        for f in range(100):
            out.write(Folder(id=f"{VC}:f{f}", moref=f"f{f}", name=f"f{f}", parent=f"{VC}:dc"))
        for i in range(vms):
            out.write(
                VirtualMachine(
                    id=f"{VC}:vm-{i}", moref=f"vm-{i}", name=f"vm{i}",
                    folder=f"{VC}:f{i % 100}", host=f"{VC}:h{i % 2}",
                )
            )  # fmt: skip
    return path


def _counts(instance: Neo4jInstance) -> dict[str, int]:
    """Nodes per label and relationships per type, sync runs left out."""
    nodes = query(
        instance,
        "MATCH (n) WHERE NOT n:SyncRun UNWIND labels(n) AS label RETURN label, count(*) AS n",
    )
    rels = query(instance, "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n")
    return {
        **{f"node:{row['label']}": row["n"] for row in nodes},
        **{f"rel:{row['type']}": row["n"] for row in rels},
    }


class Restart:
    """Restart Neo4j from another thread when the loader reports its ``at``-th VM batch.

    The loader's progress callback starts the thread and waits until the server is down, so
    the loader's next batch certainly meets the outage; the thread then starts the server
    again on the same port while the driver retries."""

    def __init__(self, server: LocalNeo4j, instance: Neo4jInstance, at: int) -> None:
        self.server = server
        self.instance = instance
        self.at = at
        self.vm_batches = 0
        self.seen_running: list[dict[str, Any]] = []
        self.pids: list[int | None] = []
        self.errors: list[BaseException] = []
        self.down = threading.Event()
        self.thread = threading.Thread(target=self._restart, daemon=True)

    def progress(self, name: str, rows: int) -> None:
        """The loader's progress callback."""
        if name != "VirtualMachine":
            return
        self.vm_batches += 1
        if self.vm_batches == self.at:
            self.thread.start()
            assert self.down.wait(120), "Neo4j was not stopped"

    def _restart(self) -> None:
        try:
            self.seen_running = query(
                self.instance,
                "MATCH (s:SyncRun {status: 'running'}) "
                "RETURN s.id AS id, COUNT { (:VirtualMachine) } AS vms",
            )
            self.pids.append(self.server.status().pid)
            self.server.stop()
        except BaseException as exc:
            self.errors.append(exc)
        finally:
            self.down.set()
        try:
            self.server.start(port=self.instance.port)
            self.pids.append(self.server.status().pid)
        except BaseException as exc:
            self.errors.append(exc)


def test_neo4j_restarted_mid_load(tmp_path: Path) -> None:
    home = tmp_path / "home"
    # Retries for up to 5 minutes (default 1): a restart takes seconds, but a busy test
    # machine can stretch it past a minute, and the outcome must not depend on that.
    settings = Settings(home=home, neo4j_uri=None, batch_size=BATCH, retry_seconds=300)
    server = LocalNeo4j(home, settings.cache)
    instance = Neo4jInstance(home, free_port())
    server.start(port=instance.port)
    try:
        snapshot = _synthetic_snapshot(tmp_path / "estate.jsonl.gz", VMS)
        with Graph(settings) as graph:
            graph.apply_schema()
            first = load_snapshot(graph, snapshot)
            assert first.status == "complete"
            # The one derivation this estate feeds (a full derive costs seconds on a cold
            # server and adds nothing here): the cluster's DRS decision, to own.
            graph.write("derive/decisions/12_cluster_drs", {"run": "faults"})
            ownership.upsert_team(graph, ownership.Team(name="team-a"), "test")
            ownership.upsert_platform(graph, ownership.TargetPlatform(name="pve", kind="PVE"), "t")
            _own(graph, f"cluster-drs:{VC}:c1")
            clean, human = _counts(instance), _human(instance)  # a clean load, plus ownership
            assert clean["node:VirtualMachine"] == VMS and clean["node:Decision"] == 1
            assert human["counts"]["events"] == 4

            restart = Restart(server, instance, at=3)
            report = load_snapshot(graph, snapshot, progress=restart.progress)
            restart.thread.join(180)
            assert not restart.errors, restart.errors
            assert len(restart.pids) == 2 and restart.pids[0] != restart.pids[1]
            running = restart.seen_running
            assert [r["id"] for r in running] == [report.sync_run], running
            assert running[0]["vms"] > 0, running  # some nodes were written before the stop
            # The driver retried the batch that met the stopped server: the load completed.
            assert (report.status, report.removed) == ("complete", 0)
            assert sum(report.nodes.values()) == sum(first.nodes.values())
            runs = graph.read("sync/runs", {"limit": 10})
            assert [r["status"] for r in runs] == ["complete", "complete"]
            assert _counts(instance) == clean
            assert _human(instance) == human

            again = load_snapshot(graph, snapshot)
            assert (again.status, again.removed) == ("complete", 0)
            assert _counts(instance) == clean
            assert _human(instance) == human
    finally:
        server.stop()
