"""``authmap collect|ingest proxmox`` end to end: the schema-checked PVE replay server over
HTTPS, the real CLI, a real Neo4j. The same sync-run rules as every source: idempotent re-ingest,
stale removal after a complete run, nothing removed after a partial one, refused logins change
nothing and print no secret."""

from __future__ import annotations

import copy
import gzip
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.graph import Graph
from app.records import Record
from app.records import proxmox as r
from app.records import proxmox_policy as p
from ingest.proxmox import ProxmoxOptions
from ingest.proxmox.collect import ProxmoxCollector
from tests.conftest import Neo4jInstance, free_port, query, run_cli
from tests.support.pve_replay import PASSWORD, TOKEN_ID, TOKEN_SECRET, PveReplay

pytestmark = pytest.mark.timeout(1500)
SECRETS = (TOKEN_SECRET, PASSWORD, "d-pass")


@pytest.fixture()
def pve9() -> Iterator[PveReplay]:
    with PveReplay(
        version=9, passwords={"svc-authmap@pve": PASSWORD, "dave@pve": "d-pass"}
    ) as replay:
        yield replay


def collect(replay: PveReplay) -> tuple[dict[str, Record], list[tuple[str, str, str | None]]]:
    options = ProxmoxOptions(
        replay.url, token_id=TOKEN_ID, token_secret=TOKEN_SECRET, ca_file=replay.ca_file
    )
    records: dict[str, Record] = {}
    gaps: list[tuple[str, str, str | None]] = []

    def sink(record: Record) -> None:
        assert record.id not in records, f"{record.id} collected twice"
        records[record.id] = record

    with ProxmoxCollector.open(options) as collector:
        collector.collect(sink, lambda *g: gaps.append(g))
    return records, gaps


def oid(kind: str, key: str | int) -> str:
    return r.object_id(r.source_id("pve-prod"), kind, key)


def test_records_say_what_the_api_said(pve9: PveReplay) -> None:
    records, gaps = collect(pve9)
    assert gaps == []
    web = records[oid("PveGuest", 101)]
    assert isinstance(web, r.PveGuest)
    assert (web.name, web.smbios_uuid, web.macs) == (
        "web-01", "4223a1b2-5e6f-4a1b-8c2d-0e1f2a3b4c01", ["00:50:56:A1:00:01"]
    )  # fmt: skip
    assert (web.on_node, web.in_pool, web.cpuunits) == (
        oid("PveNode", "pve1"),
        oid("PvePool", "prod"),
        1024,
    )
    assert web.nics[0].bridge == "vnet20" and web.nics[0].firewall
    db = records[oid("PveGuest", 103)]
    assert isinstance(db, r.PveGuest)
    assert db.cpulimit == 2 and db.disks[0].limits == {
        "iops_rd": 500, "iops_wr": 500, "mbps_rd": 200, "mbps_wr": 100
    }  # fmt: skip
    app = records[oid("PveGuest", 104)]
    assert isinstance(app, r.PveGuest)
    assert app.smbios_uuid is None and app.nics[0].model == "e1000" and app.nics[0].tag == 30
    ct = records[oid("PveGuest", 200)]
    assert (
        isinstance(ct, r.PveGuest) and ct.guest_type == "lxc" and ct.macs == ["BC:24:11:00:02:00"]
    )
    rule = records[oid("PveHaRule", "web-apart")]
    assert isinstance(rule, p.PveHaRule)
    assert (rule.rule_type, rule.affinity, rule.guests) == (
        "resource-affinity", "negative", [oid("PveGuest", 101), oid("PveGuest", 102)]
    )  # fmt: skip
    nodes = records[oid("PveHaRule", "web-nodes")]
    assert isinstance(nodes, p.PveHaRule) and nodes.nodes == {"pve1": 2, "pve2": 1} and nodes.strict
    deny = records[oid("PveAcl", "/vms/103|user|alice@corp|NoAccess")]
    assert isinstance(deny, p.PveAcl) and deny.role == oid("PveRole", "NoAccess")
    vnet = records[oid("PveVnet", "vnet20")]
    assert isinstance(vnet, p.PveVnet) and (vnet.tag, vnet.subnets) == (20, ["10.20.0.0/24"])
    group_rules = [
        x for x in records.values() if isinstance(x, p.PveFirewallRule) and x.scope == "group/web"
    ]
    assert [x.pos for x in group_rules] == [0, 1, 2]
    realm = records[oid("PveRealm", "corp")]
    assert isinstance(realm, p.PveRealm) and realm.domain == "corp.example.com"
    assert "bind_dn" not in realm.model_dump()


def test_pve8_reads_ha_groups(tmp_path: Path) -> None:
    with PveReplay(version=8) as replay:
        records, gaps = collect(replay)
    assert gaps == []
    group = records[oid("PveHaGroup", "web-nodes")]
    assert (
        isinstance(group, p.PveHaGroup)
        and group.restricted
        and group.nodes == {"pve1": 2, "pve2": 1}
    )
    resource = records[oid("PveHaResource", "vm:101")]
    assert isinstance(resource, p.PveHaResource) and resource.group == group.id
    assert not [x for x in records.values() if isinstance(x, p.PveHaRule)]


def ingest(
    instance: Neo4jInstance, replay: PveReplay, *extra: str
) -> subprocess.CompletedProcess[str]:
    args = extra or ("--token-id", TOKEN_ID, "--token-secret-env", "PVE_SECRET")
    return run_cli(
        "ingest", "proxmox", "--server", replay.url, "--ca-file", str(replay.ca_file), *args,
        env={**instance.env, "PVE_SECRET": TOKEN_SECRET, "PVE_PASSWORD": "d-pass"},
    )  # fmt: skip


def counts(instance: Neo4jInstance) -> dict[str, int]:
    nodes = query(
        instance,
        "MATCH (n:PveObject) UNWIND labels(n) AS label WITH label WHERE label STARTS WITH 'Pve' "
        "AND label <> 'PveObject' RETURN label, count(*) AS n",
    )
    rels = query(
        instance, "MATCH (:PveObject)-[x]->(:PveObject) RETURN type(x) AS label, count(*) AS n"
    )
    return {row["label"]: row["n"] for row in nodes + rels}


def runs(instance: Neo4jInstance) -> list[dict[str, Any]]:
    return query(
        instance,
        "MATCH (x:SyncRun {source_kind: 'proxmox'}) "
        "RETURN x.status AS status, x.removed AS removed, x.gaps AS gaps ORDER BY x.started_at",
    )


def test_collect_writes_a_snapshot_without_the_secret(pve9: PveReplay, tmp_path: Path) -> None:
    out = tmp_path / "pve.jsonl.gz"
    proc = run_cli(
        "collect", "proxmox", "--server", pve9.url, "--ca-file", str(pve9.ca_file),
        "--token-id", TOKEN_ID, "--token-secret-env", "PVE_SECRET", "--out", str(out),
        env={"PVE_SECRET": TOKEN_SECRET},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    text = gzip.decompress(out.read_bytes()).decode()
    assert '"kind":"PveGuest"' in text and "web-01" in text
    assert TOKEN_SECRET not in proc.stdout + proc.stderr + text


def test_ingest_builds_the_graph_idempotently_and_removes_what_went(
    pve9: PveReplay, neo4j_instance: Neo4jInstance, graph: Graph
) -> None:
    proc = ingest(neo4j_instance, pve9)
    assert proc.returncode == 0, proc.stderr
    guest = query(
        neo4j_instance,
        "MATCH (g:PveGuest:TargetObject {vmid: 103})-[:ON_NODE]->(n:PveNode) "
        "MATCH (g)-[:IN_POOL]->(pool:PvePool)-[:IN_CLUSTER]->(c:PveCluster) "
        "MATCH (g)-[:USES_STORAGE]->(s:PveStorage) "
        "RETURN n.name AS node, pool.name AS pool, c.name AS cluster, s.name AS storage",
    )
    assert guest == [
        {"node": "pve3", "pool": "prod", "cluster": "pve-prod", "storage": "ceph-gold"}
    ]
    members = query(
        neo4j_instance,
        "MATCH (u:PveUser)-[:MEMBER_OF]->(:PveGroup {name: 'ops-corp'}) "
        "RETURN u.userid AS u ORDER BY u",
    )
    assert [m["u"] for m in members] == ["alice@corp", "bob@corp"]
    first = counts(neo4j_instance)
    assert ingest(neo4j_instance, pve9).returncode == 0
    assert counts(neo4j_instance) == first
    docs = pve9.documents
    docs["/cluster/resources"] = [x for x in docs["/cluster/resources"] if x.get("vmid") != 105]
    assert ingest(neo4j_instance, pve9).returncode == 0
    assert counts(neo4j_instance)["PveGuest"] == first["PveGuest"] - 1
    assert [x["status"] for x in runs(neo4j_instance)] == ["complete"] * 3
    assert [x["removed"] > 0 for x in runs(neo4j_instance)] == [False, False, True]


def test_a_failed_read_or_a_filtered_list_is_a_gap_and_removes_nothing(
    pve9: PveReplay, neo4j_instance: Neo4jInstance, graph: Graph
) -> None:
    assert ingest(neo4j_instance, pve9).returncode == 0
    before = counts(neo4j_instance)
    pve9.fail("/cluster/ha/rules", [403])
    roles = copy.deepcopy(pve9.documents["/access/roles"])
    for role in roles:
        if role["roleid"] == "PVEAuditor":
            role["privs"] = role["privs"].replace("SDN.Audit,", "")
    pve9.documents["/access/roles"] = roles
    proc = ingest(neo4j_instance, pve9)
    assert proc.returncode == 0, proc.stderr
    assert "gap: HA rules" in proc.stdout + proc.stderr
    last = runs(neo4j_instance)[-1]
    assert (last["status"], last["removed"]) == ("partial", 0)
    assert any("no SDN.Audit on /" in gap for gap in last["gaps"])
    after = counts(neo4j_instance)
    assert (after["PveHaRule"], after["PveSdnZone"]) == (before["PveHaRule"], before["PveSdnZone"])


def test_a_server_error_mid_run_fails_the_run_and_changes_nothing(
    pve9: PveReplay, neo4j_instance: Neo4jInstance, graph: Graph
) -> None:
    assert ingest(neo4j_instance, pve9).returncode == 0
    before = counts(neo4j_instance)
    pve9.fail("/cluster/ha/resources", [503, 503])  # transient: retried, then answered
    assert ingest(neo4j_instance, pve9).returncode == 0
    assert runs(neo4j_instance)[-1]["status"] == "complete"
    docs = pve9.documents  # guest 105 gone: a complete run would remove it
    docs["/cluster/resources"] = [x for x in docs["/cluster/resources"] if x.get("vmid") != 105]
    pve9.fail("/cluster/ha/resources", [500])
    proc = ingest(neo4j_instance, pve9)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "HTTP 500" in proc.stderr and "recorded as failed" in proc.stdout
    assert runs(neo4j_instance)[-1]["status"] == "failed"
    assert counts(neo4j_instance) == before
    assert TOKEN_SECRET not in proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def ingested(neo4j_instance: Neo4jInstance) -> Iterator[PveReplay]:
    """One complete ingest of the PVE 9 cluster into an emptied graph, for the refusal cases
    (each compares the graph before and after, so one baseline serves them all)."""
    with Graph(neo4j_instance.settings()) as connected:
        connected.write_chunked("admin/wipe", {})
        connected.apply_schema()
    with PveReplay(version=9, passwords={"dave@pve": "d-pass"}) as replay:
        assert ingest(neo4j_instance, replay).returncode == 0
        yield replay


@pytest.mark.parametrize("case", ["bad-token", "forbidden", "unreachable", "no-ca", "bad-server"])
def test_refusals_are_one_line_exit_2_and_change_nothing(
    ingested: PveReplay, neo4j_instance: Neo4jInstance, case: str
) -> None:
    pve9 = ingested
    before, runs_before = counts(neo4j_instance), runs(neo4j_instance)
    server, ca = pve9.url, ["--ca-file", str(pve9.ca_file)]
    login = ["--token-id", TOKEN_ID, "--token-secret-env", "PVE_SECRET"]
    if case == "bad-token":
        login = ["--token-id", TOKEN_ID, "--token-secret-env", "PVE_PASSWORD"]
    elif case == "forbidden":
        login = ["--user", "dave@pve", "--password-env", "PVE_PASSWORD"]
    elif case == "unreachable":
        server = f"https://127.0.0.1:{free_port()}"
    elif case == "no-ca":
        ca = []
    elif case == "bad-server":
        server = "ftp://somewhere"
    proc = run_cli(
        "ingest", "proxmox", "--server", server, *ca, *login,
        env={**neo4j_instance.env, "PVE_SECRET": TOKEN_SECRET, "PVE_PASSWORD": "d-pass"},
    )  # fmt: skip
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    expected = {
        "bad-token": "401",
        "forbidden": "forbidden to read /cluster/status",
        "unreachable": "cannot reach",
        "no-ca": "certificate",
        "bad-server": "https://HOST",
    }
    assert expected[case] in lines[0], lines[0]
    for secret in SECRETS:
        assert secret not in proc.stdout + proc.stderr
    assert counts(neo4j_instance) == before
    assert runs(neo4j_instance) == runs_before
