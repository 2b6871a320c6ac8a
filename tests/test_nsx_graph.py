"""NSX in the real Neo4j: the exact graph a replayed manager produces, idempotence, stale
removal only after complete runs, a partial run on a mid-paging server error, the
hierarchical export loading the same configuration, VMs matched to vCenter, the group
dependency map and the network-authority decisions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.derive import run_derive
from app.graph import Graph
from app.graph.loader import LoadReport, load_snapshot
from app.records import VirtualMachine
from app.records.contract import SourceIdentity
from app.snapshot import SnapshotWriter
from ingest.nsx import NsxClient, NsxTarget, collect_export, collect_nsx, source_id
from tests.conftest import Neo4jInstance, query
from tests.support.nsx_replay import FIXTURES, PASSWORD, POLICY, USER, NsxReplay

D = "/infra/domains/default"
P = "/orgs/default/projects/dev"
PD = f"{P}/infra/domains/default"
VC = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
UUIDS = {
    "web-01": "5008a2a9-7c43-4a3e-8a0e-1c2f3b4d5e01",
    "web-02": "5008a2a9-7c43-4a3e-8a0e-1c2f3b4d5e02",
    "app-01": "5008a2a9-7c43-4a3e-8a0e-1c2f3b4d5e03",
    "db-01": "5008a2a9-7c43-4a3e-8a0e-1c2f3b4d5e04",
    "dev-01": "5008a2a9-7c43-4a3e-8a0e-1c2f3b4d5e06",
}  # jump-01 (…e05) is known to NSX only


def nsx_snapshot(nsx: NsxReplay, path: Path) -> Path:
    """Collect the replay server into a snapshot, as ``authmap collect nsx`` does."""
    target = NsxTarget(nsx.url, USER, PASSWORD, ca_file=nsx.ca_file, retry_wait=0.0)
    source = SourceIdentity(kind="nsx", id=source_id(target.host), name=target.host)
    with SnapshotWriter(path, source) as out, NsxClient(target) as client:
        client.login()
        collect_nsx(client, source.id, out.write, out.gap)
    return path


def export_snapshot(nsx: NsxReplay, path: Path) -> Path:
    """The hierarchical exports of the same manager into a snapshot (``--from-file``)."""
    host = NsxTarget(nsx.url, USER, "").host
    source = SourceIdentity(kind="nsx", id=source_id(host), name=host)
    exports = [FIXTURES / "infra-export.json", FIXTURES / "project-dev-export.json"]
    with SnapshotWriter(path, source) as out:
        collect_export(exports, source.id, out.write, out.gap)
    return path


def vcenter_snapshot(path: Path) -> Path:
    """A vCenter holding the VMs NSX knows, by instance UUID (all but jump-01)."""
    with SnapshotWriter(path, SourceIdentity(kind="vcenter", id=VC, name="vc01")) as out:
        for name, uuid in UUIDS.items():
            out.write(
                VirtualMachine(
                    id=f"{VC}:vm-{name}", moref=f"vm-{name}", name=name, instance_uuid=uuid
                )
            )
    return path


def ingest(graph: Graph, snapshot: Path) -> LoadReport:
    """Load one snapshot and derive, as ``authmap ingest`` does."""
    report = load_snapshot(graph, snapshot)
    run_derive(graph)
    return report


def _key(node: str) -> str:
    return (
        f"CASE WHEN {node}:VirtualMachine THEN 'vc:' + {node}.name "
        f"WHEN {node}:NsxVirtualMachine THEN 'vm:' + {node}.display_name ELSE {node}.path END"
    )


def nodes(db: Neo4jInstance) -> set[tuple[str, str]]:
    """Every NSX node as ``(label, path)`` (VMs as ``vm:<name>``)."""
    rows = query(
        db,
        f"MATCH (n:Source) WHERE n.source_id STARTS WITH 'nsx:' "
        f"RETURN labels(n) AS labels, {_key('n')} AS key",
    )
    return {
        (next(x for x in row["labels"] if x.startswith("Nsx") and x != "NsxObject"), row["key"])
        for row in rows
    }


def rels(db: Neo4jInstance) -> set[tuple[str, str, str]]:
    """Every relationship touching an NSX node, as ``(from, type, to)``."""
    rows = query(
        db,
        f"MATCH (a)-[x]->(b) WHERE a:NsxObject OR a:NsxVirtualMachine "
        f"RETURN {_key('a')} AS a, type(x) AS t, {_key('b')} AS b",
    )
    return {(row["a"], row["t"], row["b"]) for row in rows if row["t"] != "EVIDENCE"}


def props(db: Neo4jInstance) -> dict[str, dict[str, Any]]:
    """Every NSX node's properties (minus the run id) by key."""
    rows = query(
        db,
        f"MATCH (n:Source) WHERE n.source_id STARTS WITH 'nsx:' "
        f"RETURN {_key('n')} AS key, properties(n) AS p",
    )
    return {row["key"]: {k: v for k, v in row["p"].items() if k != "sync_run"} for row in rows}


G = {g: f"{D}/groups/{g}" for g in ("web", "app", "db", "mgmt-ips", "all-prod")}
G["dev-web"] = f"{PD}/groups/dev-web"
SP = f"{D}/security-policies"
R = {
    "allow-mgmt-ssh": f"{SP}/mgmt-access/rules/allow-mgmt-ssh",
    "allow-lb-to-web": f"{SP}/web-tier/rules/allow-lb-to-web",
    "allow-web-to-app": f"{SP}/web-tier/rules/allow-web-to-app",
    "web-icmp-block": f"{SP}/web-tier/rules/web-icmp-block",
    "allow-app-to-db": f"{SP}/app-tier/rules/allow-app-to-db",
    "block-web-to-db": f"{SP}/app-tier/rules/block-web-to-db",
    "old-mgmt-rule": f"{SP}/app-tier/rules/old-mgmt-rule",
    "default-layer3-rule": f"{SP}/default-layer3-section/rules/default-layer3-rule",
    "allow-https-in": f"{D}/gateway-policies/t1-prod-edge/rules/allow-https-in",
    "dev-allow-https": f"{PD}/security-policies/dev-policy/rules/dev-allow-https",
    "dev-deny-rest": f"{PD}/security-policies/dev-policy/rules/dev-deny-rest",
}
POL = {
    "mgmt-access": f"{SP}/mgmt-access",
    "web-tier": f"{SP}/web-tier",
    "app-tier": f"{SP}/app-tier",
    "default-layer3-section": f"{SP}/default-layer3-section",
    "t1-prod-edge": f"{D}/gateway-policies/t1-prod-edge",
    "dev-policy": f"{PD}/security-policies/dev-policy",
}
SVC = {s: f"/infra/services/{s}" for s in ("HTTPS", "HTTP", "SSH", "MySQL", "ICMP-ALL", "app-8443")}
T0, T1, DEVT1 = "/infra/tier-0s/t0-core", "/infra/tier-1s/t1-prod", f"{P}/infra/tier-1s/dev-t1"
SEG = {s: f"/infra/segments/{s}" for s in ("web-seg", "app-seg", "db-vlan120")}
SEG["dev-seg"] = f"{P}/infra/segments/dev-seg"
VMS = ["web-01", "web-02", "app-01", "db-01", "jump-01", "dev-01"]

EXPECTED_NODES = (
    {("NsxProject", P), ("NsxTier0", T0), ("NsxTier1", T1), ("NsxTier1", DEVT1)}
    | {("NsxSegment", s) for s in SEG.values()}
    | {("NsxService", s) for s in SVC.values()}
    | {("NsxGroup", g) for g in G.values()}
    | {("NsxSecurityPolicy", p) for p in POL.values()}
    | {("NsxRule", x) for x in R.values()}
    | {("NsxVirtualMachine", f"vm:{v}") for v in VMS}
)


def _rule_rels() -> set[tuple[str, str, str]]:
    out = {(R[x], "IN_POLICY", POL[p]) for x, p in [
        ("allow-mgmt-ssh", "mgmt-access"), ("allow-lb-to-web", "web-tier"),
        ("allow-web-to-app", "web-tier"), ("web-icmp-block", "web-tier"),
        ("allow-app-to-db", "app-tier"), ("block-web-to-db", "app-tier"),
        ("old-mgmt-rule", "app-tier"), ("default-layer3-rule", "default-layer3-section"),
        ("allow-https-in", "t1-prod-edge"), ("dev-allow-https", "dev-policy"),
        ("dev-deny-rest", "dev-policy"),
    ]}  # fmt: skip
    sources = [("allow-mgmt-ssh", "mgmt-ips"), ("allow-web-to-app", "web"),
               ("web-icmp-block", "web"), ("allow-app-to-db", "app"), ("block-web-to-db", "web"),
               ("old-mgmt-rule", "mgmt-ips"), ("dev-allow-https", "dev-web")]  # fmt: skip
    dests = [("allow-mgmt-ssh", "all-prod"), ("allow-lb-to-web", "web"),
             ("allow-web-to-app", "app"), ("web-icmp-block", "web"), ("allow-app-to-db", "db"),
             ("block-web-to-db", "db"),
             ("old-mgmt-rule", "app"), ("allow-https-in", "web"), ("dev-allow-https", "dev-web"),
             ("dev-deny-rest", "dev-web")]  # fmt: skip
    services = [("allow-mgmt-ssh", "SSH"), ("allow-mgmt-ssh", "ICMP-ALL"),
                ("allow-lb-to-web", "HTTPS"),
                ("allow-lb-to-web", "HTTP"), ("allow-web-to-app", "app-8443"),
                ("web-icmp-block", "ICMP-ALL"), ("allow-app-to-db", "MySQL"),
                ("allow-https-in", "HTTPS"), ("dev-allow-https", "HTTPS")]  # fmt: skip
    out |= {(R[x], "SOURCE_GROUP", G[g]) for x, g in sources}
    out |= {(R[x], "DESTINATION_GROUP", G[g]) for x, g in dests}
    out |= {(R[x], "USES_SERVICE", SVC[s]) for x, s in services}
    out |= {
        (R["allow-lb-to-web"], "APPLIED_TO", G["web"]),  # rule-level scope
        (R["allow-https-in"], "APPLIED_TO", T1),
        (R["dev-deny-rest"], "APPLIED_TO", G["dev-web"]),
    }
    return out


MEMBERS = {
    "web": ["web-01", "web-02"],
    "app": ["app-01"],
    "db": ["db-01"],
    "all-prod": ["web-01", "web-02", "app-01", "db-01"],
    "dev-web": ["dev-01"],
}
EXPECTED_RELS = (
    {
        (T1, "CONNECTED_TO", T0),
        (DEVT1, "CONNECTED_TO", T0),
        (SEG["web-seg"], "CONNECTED_TO", T1),
        (SEG["app-seg"], "CONNECTED_TO", T1),
        (SEG["dev-seg"], "CONNECTED_TO", DEVT1),
        (G["all-prod"], "INCLUDES", G["web"]),
        (G["all-prod"], "INCLUDES", G["app"]),
        (G["all-prod"], "INCLUDES", SEG["db-vlan120"]),
        (POL["app-tier"], "APPLIED_TO", G["app"]),  # policy-level scope
        (POL["app-tier"], "APPLIED_TO", G["db"]),
        (POL["dev-policy"], "APPLIED_TO", G["dev-web"]),
    }
    | {(x, "IN_PROJECT", P) for x in (DEVT1, SEG["dev-seg"], G["dev-web"], POL["dev-policy"])}
    | {(R[x], "IN_PROJECT", P) for x in ("dev-allow-https", "dev-deny-rest")}
    | {(G[g], "CONTAINS", f"vm:{vm}") for g, vms in MEMBERS.items() for vm in vms}
    | _rule_rels()
)

GOVERNS = {
    "allow-mgmt-ssh": {"web-01", "web-02", "app-01", "db-01"},  # mgmt-ips has no VMs
    "allow-lb-to-web": {"web-01", "web-02"},
    "allow-web-to-app": {"web-01", "web-02", "app-01"},
    "web-icmp-block": {"web-01", "web-02"},
    "allow-app-to-db": {"app-01", "db-01"},
    "block-web-to-db": {"web-01", "web-02", "db-01"},
    "default-layer3-rule": set(UUIDS),  # ANY to ANY everywhere: every matched VM
    "allow-https-in": {"web-01", "web-02"},
    "dev-allow-https": {"dev-01"},
    "dev-deny-rest": {"dev-01"},
}  # old-mgmt-rule is disabled: it governs nothing
DERIVED = (
    {(f"vm:{vm}", "SAME_AS", f"vc:{vm}") for vm in UUIDS}
    | {(G[g], "HAS_MEMBER", f"vc:{vm}") for g, vms in MEMBERS.items() for vm in vms}
    | {(R[x], "GOVERNS", f"vc:{vm}") for x, vms in GOVERNS.items() for vm in vms}
    | {
        (G["mgmt-ips"], "MAY_REACH", G["all-prod"]),
        (G["web"], "MAY_REACH", G["app"]),
        (G["app"], "MAY_REACH", G["db"]),
        (G["dev-web"], "MAY_REACH", G["dev-web"]),
    }
)


def test_exact_graph_derived_map_and_idempotence(
    graph: Graph, neo4j_instance: Neo4jInstance, tmp_path: Path
) -> None:
    db = neo4j_instance
    ingest(graph, vcenter_snapshot(tmp_path / "vc.jsonl"))
    with NsxReplay(max_page_size=2) as nsx:
        first = ingest(graph, nsx_snapshot(nsx, tmp_path / "a.jsonl"))
        assert first.status == "complete" and first.missing == {}
        assert nodes(db) == EXPECTED_NODES
        assert rels(db) == EXPECTED_RELS | DERIVED
        before = (props(db), query(db, "MATCH (d:Decision) RETURN d.id AS id, d.summary AS s"))
        again = ingest(graph, nsx_snapshot(nsx, tmp_path / "b.jsonl"))
    assert again.status == "complete" and again.removed == 0
    assert nodes(db) == EXPECTED_NODES
    assert rels(db) == EXPECTED_RELS | DERIVED
    after = (props(db), query(db, "MATCH (d:Decision) RETURN d.id AS id, d.summary AS s"))
    assert sorted(after[1], key=str) == sorted(before[1], key=str)
    assert after[0] == before[0]
    web = after[0][G["web"]]
    assert web["criteria"] == "VirtualMachine Tag EQUALS 'app|web'"
    assert web["display_name"] == "Web servers" and web["domain"] == "default"
    deps = query(
        db,
        "MATCH (s:NsxGroup)-[m:MAY_REACH]->(d:NsxGroup) "
        "RETURN s.nsx_id AS s, d.nsx_id AS d, m.services AS services, m.rule_names AS rules",
    )
    assert sorted((d["s"], d["d"], d["services"], d["rules"]) for d in deps) == [
        ("app", "db", ["MySQL"], ["allow-app-to-db"]),
        ("dev-web", "dev-web", ["HTTPS"], ["dev-allow-https"]),
        ("mgmt-ips", "all-prod", ["ICMP ALL", "SSH"], ["allow-mgmt-ssh"]),
        ("web", "app", ["app-8443"], ["allow-web-to-app"]),
    ]


def _decisions(db: Neo4jInstance) -> dict[str, dict[str, Any]]:
    rows = query(
        db,
        "MATCH (d:Decision) WHERE d.kind STARTS WITH 'nsx_' "
        "RETURN d.id AS id, d.kind AS kind, d.status AS status, d.summary AS summary, "
        "d.scope_level AS level, d.category AS category, "
        "COLLECT { MATCH (d)-[:AFFECTS]->(vm:VirtualMachine) RETURN vm.name ORDER BY vm.name } "
        "AS affects",
    )
    return {"/" + row["id"].split(":/", 1)[1]: row for row in rows}


def test_network_authority_decisions_per_policy_and_rule(
    graph: Graph, neo4j_instance: Neo4jInstance, tmp_path: Path
) -> None:
    db = neo4j_instance
    with NsxReplay() as nsx:
        ingest(graph, nsx_snapshot(nsx, tmp_path / "a.jsonl"))
        # vCenter loaded after NSX: the derive re-matches the VMs.
        ingest(graph, vcenter_snapshot(tmp_path / "vc.jsonl"))
    got = _decisions(db)
    assert set(got) == set(POL.values()) | {p for x, p in R.items() if x != "old-mgmt-rule"}
    assert {d["category"] for d in got.values()} == {"network_authority"}
    assert {d["status"] for d in got.values()} == {"active"}
    for name, vms in GOVERNS.items():
        assert got[R[name]]["affects"] == sorted(vms), name
        assert got[R[name]]["kind"] == "nsx_rule"
    policy_vms = {
        "mgmt-access": GOVERNS["allow-mgmt-ssh"],
        "web-tier": {"web-01", "web-02", "app-01"},
        "app-tier": {"web-01", "web-02", "app-01", "db-01"},
        "default-layer3-section": set(UUIDS),
        "t1-prod-edge": {"web-01", "web-02"},
        "dev-policy": {"dev-01"},
    }
    for name, vms in policy_vms.items():
        assert got[POL[name]]["affects"] == sorted(vms), name
    assert got[POL["t1-prod-edge"]]["kind"] == "nsx_gateway_policy"
    assert got[POL["web-tier"]]["kind"] == "nsx_security_policy"
    levels = {name: got[R[name]]["level"] for name in R if name != "old-mgmt-rule"}
    assert levels == {
        "allow-mgmt-ssh": "everywhere",
        "allow-lb-to-web": "rule",
        "allow-web-to-app": "everywhere",
        "web-icmp-block": "everywhere",
        "allow-app-to-db": "policy",
        "block-web-to-db": "policy",
        "default-layer3-rule": "everywhere",
        "allow-https-in": "rule",
        "dev-allow-https": "policy",
        "dev-deny-rest": "rule",
    }
    assert got[R["allow-mgmt-ssh"]]["summary"] == (
        "NSX rule allow-mgmt-ssh (policy mgmt-access, Infrastructure) ALLOWs Management IPs, "
        "172.16.5.10, 172.16.6.0/24 to All production on ICMP ALL, SSH (IN_OUT), applied "
        "everywhere; governs 4 VMs"
    )
    assert got[R["allow-app-to-db"]]["summary"] == (
        "NSX rule allow-app-to-db (policy app-tier, Application) ALLOWs App servers to Databases "
        "on MySQL (IN_OUT), applied to App servers, Databases (policy-level); governs 2 VMs"
    )
    assert got[R["allow-lb-to-web"]]["summary"] == (
        "NSX rule allow-lb-to-web (policy web-tier, Application) ALLOWs any source to Web "
        "servers on HTTP, HTTPS (IN), applied to Web servers (rule-level); governs 2 VMs"
    )
    assert got[R["block-web-to-db"]]["summary"].startswith(
        "NSX rule block-web-to-db (policy app-tier, Application) DROPs Web servers to Databases "
        "on any service (IN_OUT), applied to App servers, Databases (policy-level), logged"
    )
    assert got[POL["default-layer3-section"]]["summary"] == (
        "NSX firewall policy Default Layer3 Section (system default) (Application, sequence "
        "2147483647, stateful) applies everywhere on the distributed firewall with 1 enabled "
        "rules (1 allow, 0 drop or reject) governing 5 VMs"
    )
    assert got[POL["dev-policy"]]["summary"] == (
        "NSX firewall policy dev-policy in project Development (Application, sequence 1, "
        "stateful) applies to Dev web with 2 enabled rules (1 allow, 1 drop or reject) "
        "governing 1 VMs"
    )
    assert got[POL["t1-prod-edge"]]["summary"].startswith(
        "NSX gateway policy t1-prod-edge (LocalGatewayRules, sequence 10, stateful) applies on "
        "every gateway with 1 enabled rules"
    )


def test_stale_removal_after_complete_runs_only(
    graph: Graph, neo4j_instance: Neo4jInstance, tmp_path: Path
) -> None:
    db = neo4j_instance
    web_rules = f"{POLICY}{SP}/web-tier/rules"
    app_rules = f"{POLICY}{SP}/app-tier/rules"
    with NsxReplay(max_page_size=2) as nsx:
        ingest(graph, nsx_snapshot(nsx, tmp_path / "a.jsonl"))
        # The rule is deleted on the manager, and the second page of another list fails.
        nsx.set_results(
            web_rules, [x for x in nsx.results(web_rules) if x["id"] != "web-icmp-block"]
        )
        nsx.fail(app_rules, page=1, statuses=[500])  # once: a 500 is not retried
        partial = ingest(graph, nsx_snapshot(nsx, tmp_path / "b.jsonl"))
        assert partial.status == "partial" and partial.removed == 0
        assert partial.gaps == [
            f"NsxRule: NSX manager {nsx.url.removeprefix('https://')} answered HTTP 500 to GET "
            f"{app_rules}: General error has occurred. (page 2) ({POL['app-tier']})"
        ]
        assert nodes(db) == EXPECTED_NODES  # nothing removed, not even the deleted rule
        assert rels(db) >= EXPECTED_RELS
        assert _decisions(db)[R["web-icmp-block"]]["status"] == "active"
        complete = ingest(graph, nsx_snapshot(nsx, tmp_path / "c.jsonl"))
    assert complete.status == "complete"
    assert (
        complete.removed == 5
    )  # the rule, IN_POLICY, SOURCE_GROUP, DESTINATION_GROUP, USES_SERVICE
    assert nodes(db) == EXPECTED_NODES - {("NsxRule", R["web-icmp-block"])}
    decisions = _decisions(db)
    assert decisions[R["web-icmp-block"]]["status"] == "retired"
    assert decisions[POL["web-tier"]]["status"] == "active"
    runs = query(
        db, "MATCH (s:SyncRun {source_kind: 'nsx'}) RETURN s.status AS status ORDER BY s.started_at"
    )
    assert [row["status"] for row in runs] == ["complete", "partial", "complete"]


MEMBERSHIP = ("members_from_nsx", "membership_status", "membership_source")


def _config(values: dict[str, Any]) -> dict[str, Any]:
    """A node's properties without where its membership came from (live: NSX; export: none)."""
    return {k: v for k, v in values.items() if k not in MEMBERSHIP}


def test_export_loads_the_same_configuration_as_live(
    graph: Graph, neo4j_instance: Neo4jInstance, tmp_path: Path
) -> None:
    db = neo4j_instance
    config = ("NsxVirtualMachine",)
    with NsxReplay() as nsx:
        live_report = ingest(graph, nsx_snapshot(nsx, tmp_path / "live.jsonl"))
        live_nodes = {n for n in nodes(db) if n[0] not in config}
        live_rels = {x for x in rels(db) if x[1] in {t for _, t, _ in EXPECTED_RELS} - {"CONTAINS"}}
        live_props = {k: _config(v) for k, v in props(db).items() if not k.startswith("vm:")}
        graph.write_chunked("admin/wipe", {})
        graph.apply_schema()
        report = ingest(graph, export_snapshot(nsx, tmp_path / "file.jsonl"))
    assert live_report.status == "complete"
    assert report.status == "partial"  # no effective membership in an export
    assert report.gaps[0].startswith("NsxVirtualMachine: a hierarchical export holds configuration")
    assert nodes(db) == live_nodes
    assert {x for x in rels(db) if x[1] not in ("MAY_REACH", "GOVERNS", "HAS_MEMBER")} == live_rels
    assert {k: _config(v) for k, v in props(db).items()} == live_props
    # Without members the rules govern no VM, but the group-to-group map stands.
    assert {x for x in rels(db) if x[1] == "MAY_REACH"} == {
        x for x in DERIVED if x[1] == "MAY_REACH"
    }
