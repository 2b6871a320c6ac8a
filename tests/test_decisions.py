"""Decisions derived from a vcsim scenario built through the vSphere API, ingested through
the CLI into the real Neo4j: counts per category exactly as constructed, stable ids across
re-ingests, evidence and blast radius, retirement when the source vanishes."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from pyVim.connect import Disconnect
from pyVmomi import vim

from tests.conftest import Neo4jInstance
from tests.support.ingest import ingest_vcenter
from tests.support.vcsim import VcsimServer, ensure_vcsim_binary
from tests.support.vsphere import (
    SYSTEM_ROLE_IDS,
    add_dv_portgroup,
    set_permissions,
    vm_pair_placement,
)
from tests.support.vsphere import connect as _connect
from tests.support.vsphere import find as _find
from tests.support.vsphere import wait_for_task as _wait


def _build(sim: VcsimServer) -> None:
    si = _connect(sim)
    try:
        content = si.RetrieveContent()
        c0 = _find(content, vim.ClusterComputeResource, "DC0_C0")
        c1 = _find(content, vim.ClusterComputeResource, "DC0_C1")
        vm0 = _find(content, vim.VirtualMachine, "DC0_C0_RP0_VM0")
        vm1 = _find(content, vim.VirtualMachine, "DC0_C0_RP0_VM1")
        spec = vm_pair_placement(
            (vm0, vm1),
            list(c0.host)[:1],
            vm_group="web",
            host_group="rack-b",
            apart="web-apart",
            vm_host_rule="web-not-rack-b",
            affine=False,
            mandatory=False,
            drsConfig=vim.cluster.DrsConfigInfo(enabled=True, defaultVmBehavior="fullyAutomated"),
            dasConfig=vim.cluster.DasConfigInfo(enabled=True, admissionControlEnabled=True),
        )
        _wait(c0.ReconfigureComputeResource_Task(spec, True))
        off = vim.cluster.ConfigSpecEx(
            drsConfig=vim.cluster.DrsConfigInfo(enabled=False),
            dasConfig=vim.cluster.DasConfigInfo(enabled=False),
        )
        _wait(c1.ReconfigureComputeResource_Task(off, True))
        set_permissions(
            content.authorizationManager,
            {"DC0": _find(content, vim.Datacenter, "DC0"), "vm0": vm0},
            [
                ("CORP\\vSphere-Admins", True, "Admin", "DC0", True),
                ("CORP\\alice", False, "ReadOnly", "vm0", False),
            ],
            SYSTEM_ROLE_IDS,
        )
        alloc = vim.ResourceAllocationInfo
        c0.resourcePool.CreateResourcePool(
            "gold",
            vim.ResourceConfigSpec(
                cpuAllocation=alloc(
                    reservation=1000,
                    limit=-1,
                    expandableReservation=False,
                    shares=vim.SharesInfo(level="normal", shares=0),
                ),
                memoryAllocation=alloc(
                    reservation=0,
                    limit=-1,
                    expandableReservation=False,
                    shares=vim.SharesInfo(level="normal", shares=0),
                ),
            ),
        )
        _wait(vm1.ReconfigVM_Task(vim.vm.ConfigSpec(memoryAllocation=alloc(reservation=2048))))
        add_dv_portgroup(content, "pg-db-120", 120)
    finally:
        Disconnect(si)


@pytest.fixture(scope="module")
def scenario() -> Iterator[VcsimServer]:
    with VcsimServer(ensure_vcsim_binary(), cluster=2, host=2, vm=2, standalone_host=0) as sim:
        _build(sim)
        yield sim


def _decisions(instance: Neo4jInstance, *args: str) -> list[dict[str, Any]]:
    proc = instance.cli("decisions", "list", "--format", "json", *args, check=True)
    return list(json.loads(proc.stdout))


def test_decisions_per_category_evidence_and_blast_radius(
    neo4j_instance: Neo4jInstance, graph: Any, scenario: VcsimServer
) -> None:
    ingest_vcenter(neo4j_instance, scenario)
    found = _decisions(neo4j_instance)
    by_kind = Counter((d["category"], d["kind"]) for d in found)
    assert by_kind == {
        ("placement", "vm_anti_affinity"): 1,
        ("placement", "vm_host"): 1,
        ("placement", "cluster_drs"): 1,  # DC0_C0 only: DRS is off on DC0_C1
        ("placement", "vm_drs_override"): 1,
        ("failure_recovery", "cluster_ha"): 1,
        ("failure_recovery", "vm_ha_override"): 1,
        # vcsim's three root grants (Admin) plus the two of the scenario
        ("change_authority", "permission"): 5,
        ("change_authority", "permission_power"): 1,
        # VM Network, DC0_DVPG0, pg-db-120 and the DVS uplink group (vcsim sets no uplink flag)
        ("network_authority", "port_group"): 4,
        ("capacity", "pool_allocation"): 1,
        ("capacity", "vm_allocation"): 1,
        # vcsim's three predefined alarms and its event retention (event.maxAge)
        ("observability", "alarm"): 3,
        ("observability", "event_retention"): 1,
    }
    summaries = {d["summary"]: d for d in found}
    alice = summaries[
        "User CORP\\alice holds role ReadOnly on VirtualMachine DC0_C0_RP0_VM0, on that object only"
    ]
    assert alice["affects"] == ["DC0_C0_RP0_VM0"]
    assert {e["name"] for e in alice["evidence"]} == {"CORP\\alice", "ReadOnly", "DC0_C0_RP0_VM0"}
    admins = next(d for d in found if d["summary"].startswith("Group CORP\\vSphere-Admins"))
    assert admins["affects"] == [
        "DC0_C0_RP0_VM0",
        "DC0_C0_RP0_VM1",
        "DC0_C1_RP0_VM0",
        "DC0_C1_RP0_VM1",
    ]
    apart = next(d for d in found if d["kind"] == "vm_anti_affinity")
    assert apart["affects"] == ["DC0_C0_RP0_VM0", "DC0_C0_RP0_VM1"]
    assert {e["name"] for e in apart["evidence"]} == {"web-apart", "DC0_C0"}
    assert all(d["status"] == "unowned" and d["state"] == "active" for d in found)


def test_ids_are_stable_and_vanished_sources_retire(
    neo4j_instance: Neo4jInstance, graph: Any, scenario: VcsimServer
) -> None:
    ingest_vcenter(neo4j_instance, scenario)
    first = {d["id"]: d for d in _decisions(neo4j_instance)}
    ingest_vcenter(neo4j_instance, scenario)
    again = {d["id"]: d for d in _decisions(neo4j_instance)}
    assert again.keys() == first.keys()
    assert all(again[i]["first_seen"] == first[i]["first_seen"] for i in first)
    apart_id = next(i for i, d in first.items() if d["kind"] == "vm_anti_affinity")
    neo4j_instance.cli("teams", "add", "placement-team", check=True)
    neo4j_instance.cli("decisions", "assign", apart_id, "--team", "placement-team", check=True)
    neo4j_instance.cli("decisions", "accept", apart_id, check=True)
    si = _connect(scenario)
    try:
        content = si.RetrieveContent()
        c0 = _find(content, vim.ClusterComputeResource, "DC0_C0")
        rule = next(r for r in c0.configurationEx.rule if r.name == "web-apart")
        _wait(
            c0.ReconfigureComputeResource_Task(
                vim.cluster.ConfigSpecEx(
                    rulesSpec=[vim.cluster.RuleSpec(operation="remove", removeKey=rule.key)]
                ),
                True,
            )
        )
    finally:
        Disconnect(si)
    ingest_vcenter(neo4j_instance, scenario)
    retired = _decisions(neo4j_instance, "--state", "retired")
    assert [d["kind"] for d in retired] == ["vm_anti_affinity"]
    assert retired[0]["summary"] == next(
        d["summary"] for d in first.values() if d["kind"] == "vm_anti_affinity"
    )
    assert retired[0]["retired_at"] and retired[0]["status"] == "retired"
    # The retired decision keeps its owner and its whole event history.
    assert retired[0]["owner"] == "placement-team"
    history = json.loads(
        neo4j_instance.cli("events", "--decision", apart_id, "--json", check=True).stdout
    )
    assert [e["action"] for e in history] == ["accept", "assign"]
    assert len(_decisions(neo4j_instance, "--state", "active")) == len(first) - 1
    # A further ingest keeps the retired decision (never deleted, not revived).
    ingest_vcenter(neo4j_instance, scenario)
    assert [d["id"] for d in _decisions(neo4j_instance, "--state", "retired")] == [retired[0]["id"]]
    bad = neo4j_instance.cli("decisions", "list", "--category", "nonsense")
    assert bad.returncode == 2 and "unknown category" in bad.stderr


def test_ownership_lifecycle_survives_reingest(
    neo4j_instance: Neo4jInstance, graph: Any, scenario: VcsimServer
) -> None:
    ingest_vcenter(neo4j_instance, scenario)
    cli = neo4j_instance.cli
    ha = next(d for d in _decisions(neo4j_instance) if d["kind"] == "cluster_ha")
    rule = next(d for d in _decisions(neo4j_instance) if d["kind"] == "vm_host")
    cli("teams", "add", "platform-team", "--contact", "plat@corp.example", check=True)
    cli("platforms", "add", "pve", "--kind", "Proxmox VE", check=True)
    # Not yet assigned: accepting is refused with a clear message, nothing written.
    refused = cli("decisions", "accept", ha["id"], "--actor", "bob")
    assert refused.returncode == 2 and "it is unowned" in refused.stderr
    unknown = cli("decisions", "assign", ha["id"], "--team", "nobody")
    assert unknown.returncode == 2 and "no team 'nobody'" in unknown.stderr
    cli("decisions", "assign", ha["id"], "--team", "platform-team", "--actor", "carol", check=True)
    stale = cli("decisions", "accept", ha["id"], "--actor", "bob", "--if-version", "0")
    assert stale.returncode == 2 and "version 1" in stale.stderr
    cli("decisions", "accept", ha["id"], "--actor", "bob", "--if-version", "1", check=True)
    no_ref = cli("decisions", "enforce", ha["id"], "--platform", "pve")
    assert no_ref.returncode == 2 and "--reference" in no_ref.stderr
    cli(
        "decisions",
        "enforce",
        ha["id"],
        "--platform",
        "pve",
        "--reference",
        "ha-group prod-a (max_restart 2)",
        "--actor",
        "bob",
        check=True,
    )
    cli(
        "decisions",
        "verify",
        ha["id"],
        "--method",
        "dr_drill",
        "--result",
        "fail",
        "--actor",
        "dave",
        check=True,
    )
    after_fail = next(d for d in _decisions(neo4j_instance) if d["id"] == ha["id"])
    assert after_fail["status"] == "enforced"
    cli(
        "decisions",
        "verify",
        ha["id"],
        "--method",
        "dr_drill",
        "--result",
        "pass",
        "--actor",
        "dave",
        check=True,
    )
    cli("decisions", "assign", rule["id"], "--team", "platform-team", check=True)
    cli("decisions", "accept", rule["id"], check=True)
    cli("decisions", "enforce", rule["id"], "--platform", "pve", "--process", check=True)

    def states() -> dict[str, tuple[str, str | None]]:
        return {d["id"]: (d["status"], d["owner"]) for d in _decisions(neo4j_instance)}

    before = states()
    assert before[ha["id"]] == ("verified", "platform-team")
    assert before[rule["id"]] == ("enforced", "platform-team")
    log = json.loads(cli("events", "--decision", ha["id"], "--json", check=True).stdout)
    assert [(e["action"], e["before_status"], e["after_status"], e["actor"]) for e in log] == [
        ("verify", "enforced", "verified", "dave"),
        ("verify", "enforced", "enforced", "dave"),
        ("enforce", "accepted", "enforced", "bob"),
        ("accept", "assigned", "accepted", "bob"),
        ("assign", "unowned", "assigned", "carol"),
    ]
    assert [e["version"] for e in log] == [5, 4, 3, 2, 1]
    all_events = len(json.loads(cli("events", "--json", check=True).stdout))
    # Ingests and derives change no ownership, enforcement, verification or event.
    ingest_vcenter(neo4j_instance, scenario)
    ingest_vcenter(neo4j_instance, scenario)
    assert states() == before
    assert len(json.loads(cli("events", "--json", check=True).stdout)) == all_events
    owned = _decisions(neo4j_instance, "--status", "verified")
    assert [d["id"] for d in owned] == [ha["id"]]


def _audit(instance: Neo4jInstance, *args: str) -> Any:
    return instance.cli("audit", *args)


def _counts(instance: Neo4jInstance) -> dict[str, tuple[int, int]]:
    proc = _audit(instance, "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr
    return {a["id"]: (a["count"], a["total"]) for a in json.loads(proc.stdout)["audits"]}


def test_audits_move_with_the_lifecycle_and_gate_pipelines(
    neo4j_instance: Neo4jInstance, graph: Any, scenario: VcsimServer
) -> None:
    ingest_vcenter(neo4j_instance, scenario)
    found = _decisions(neo4j_instance, "--state", "active")
    protecting = [d for d in found if d["category"] in ("placement", "failure_recovery")]
    assert _counts(neo4j_instance) == {
        "authority-vacuum": (len(found), len(found)),
        "orphaned-principals": (0, 0),  # no directory collected: every domain is external
        "permission-power": (4, 5),  # the three root grants and vSphere-Admins hold Admin
        "policy-blindspot": (0, 0),
        "runbook-rot": (0, 0),  # no runbooks ingested
        "unverified-before-drill": (len(protecting), len(protecting)),
        # the 4 observability decisions, and the 4 VMs no verified alarm covers
        "visibility-fragmentation": (8, 8),
    }
    # Exit codes: findings at or above the threshold fail the pipeline.
    assert _audit(neo4j_instance).returncode == 1
    assert _audit(neo4j_instance, "--only", "policy-blindspot").returncode == 0
    assert (
        _audit(neo4j_instance, "--only", "authority-vacuum", "--fail-on", "critical").returncode
        == 0
    )
    assert (
        _audit(neo4j_instance, "--only", "permission-power", "--fail-on", "critical").returncode
        == 1
    )
    bad = _audit(neo4j_instance, "--only", "no-such-audit")
    assert bad.returncode == 2 and "unknown audit" in bad.stderr
    # The lifecycle moves the audits by exactly the expected amounts.
    cli = neo4j_instance.cli
    ha = next(d["id"] for d in found if d["kind"] == "cluster_ha")
    cli("teams", "add", "ops", check=True)
    cli("platforms", "add", "ocp", "--kind", "OpenShift Virtualization", check=True)
    start = _counts(neo4j_instance)
    cli("decisions", "assign", ha, "--team", "ops", check=True)
    assert _counts(neo4j_instance) == start
    cli("decisions", "accept", ha, check=True)
    step = _counts(neo4j_instance)
    assert step["authority-vacuum"] == (start["authority-vacuum"][0] - 1, len(found))
    assert step["policy-blindspot"] == (1, 1)
    cli(
        "decisions",
        "enforce",
        ha,
        "--platform",
        "ocp",
        "--reference",
        "NodeHealthCheck nhc-a",
        check=True,
    )
    assert _counts(neo4j_instance)["policy-blindspot"] == (1, 1)
    cli("decisions", "verify", ha, "--method", "config_check", "--result", "pass", check=True)
    done = _counts(neo4j_instance)
    assert done["policy-blindspot"] == (0, 1)
    assert done["unverified-before-drill"] == (len(protecting) - 1, len(protecting))
    assert done["authority-vacuum"] == step["authority-vacuum"]


def test_audit_output_formats(
    neo4j_instance: Neo4jInstance, graph: Any, scenario: VcsimServer
) -> None:
    import csv
    import io
    import xml.etree.ElementTree as ET

    import xmlschema

    from tests.conftest import REPO

    ingest_vcenter(neo4j_instance, scenario)
    data = json.loads(_audit(neo4j_instance, "--format", "json").stdout)["audits"]
    total_findings = sum(a["count"] for a in data)
    for audit in data:
        assert set(audit) >= {"id", "title", "severity", "workstream", "count", "total", "findings"}
        for finding in audit["findings"]:
            assert {"decision_id", "category", "summary"} <= set(finding)
    rows = list(csv.reader(io.StringIO(_audit(neo4j_instance, "--format", "csv").stdout)))
    assert rows[0][:5] == ["audit", "severity", "decision_id", "category", "summary"]
    assert len(rows) == 1 + total_findings
    markdown = _audit(neo4j_instance, "--format", "markdown").stdout
    assert "| authority-vacuum | high |" in markdown and markdown.count("\n## ") == len(data)
    junit = _audit(neo4j_instance, "--format", "junit").stdout
    xmlschema.XMLSchema(REPO / "tests" / "fixtures" / "junit.xsd").validate(junit)
    root = ET.fromstring(junit)  # noqa: S314 - our own output
    assert int(root.get("failures", "-1")) == total_findings
    assert len(root.findall("testsuite")) == len(data)
    page = _audit(neo4j_instance, "--format", "html").stdout
    assert page.startswith("<!doctype html>") and "<script" not in page
    assert page.count("<h2 id=") == len(data)


def test_audit_queries_run_unchanged_in_a_plain_session(
    neo4j_instance: Neo4jInstance, graph: Any, scenario: VcsimServer
) -> None:
    from neo4j import GraphDatabase

    from app.graph.cypher_files import CypherLibrary

    ingest_vcenter(neo4j_instance, scenario)
    library = CypherLibrary()
    password = (neo4j_instance.home / "neo4j" / "password").read_text().strip()
    uri = f"bolt://127.0.0.1:{neo4j_instance.port}"
    with GraphDatabase.driver(uri, auth=("neo4j", password)) as driver, driver.session() as s:
        for name in library.names("audits"):
            text = library.path(name).read_text()
            assert "$" not in text, f"{name} takes no parameters"
            findings, total, view = library.statements(name)
            assert s.run(findings).data() is not None
            assert len(s.run(total).data()) == 1
            s.run(view).consume()


def test_owners_export_wipe_import_restores_state(
    neo4j_instance: Neo4jInstance, graph: Any, scenario: VcsimServer, tmp_path: Any
) -> None:
    import yaml

    ingest_vcenter(neo4j_instance, scenario)
    cli = neo4j_instance.cli
    found = _decisions(neo4j_instance, "--state", "active")
    ha = next(d["id"] for d in found if d["kind"] == "cluster_ha")
    perm = next(d["id"] for d in found if d["kind"] == "permission")
    cli("teams", "add", "ops", "--contact", "ops@corp.example", check=True)
    cli("teams", "add", "sec", check=True)
    cli("platforms", "add", "pve", "--kind", "Proxmox VE", check=True)
    for args in (
        ("assign", ha, "--team", "ops"),
        ("accept", ha),
        ("enforce", ha, "--platform", "pve", "--reference", "ha-rule gold"),
        ("verify", ha, "--method", "dr_drill", "--result", "pass"),
        ("assign", perm, "--team", "sec"),
    ):
        cli("decisions", *args, check=True)

    def states() -> dict[str, tuple[str, str | None]]:
        return {d["id"]: (d["status"], d["owner"]) for d in _decisions(neo4j_instance)}

    before = states()
    exported = cli("owners", "export", check=True).stdout
    owners_file = tmp_path / "owners.yaml"
    owners_file.write_text(exported)
    data = yaml.safe_load(exported)
    assert [d["id"] for d in data["decisions"]] == sorted([ha, perm])
    assert {t["name"] for t in data["teams"]} == {"ops", "sec"}
    dry = cli("owners", "import", str(owners_file), "--dry-run", check=True)
    assert "0 decision(s) would change" in dry.stdout
    cli("db", "reset", "--yes", check=True)
    ingest_vcenter(neo4j_instance, scenario)
    assert all(status in ("unowned", "retired") for status, _ in states().values())
    preview = cli("owners", "import", str(owners_file), "--dry-run", check=True)
    assert "2 decision(s) would change" in preview.stdout
    assert all(s == "unowned" for s, _ in states().values())  # a dry run writes nothing
    assert "2 decision(s) changed" in cli("owners", "import", str(owners_file), check=True).stdout
    assert states() == before
    assert "0 decision(s) changed" in cli("owners", "import", str(owners_file), check=True).stdout
    assert cli("owners", "export", check=True).stdout.count("id:") == exported.count("id:")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"decisions": [{"id": "no-such-decision", "team": "ops", "status": "assigned"}]},
            "unknown decision id(s): no-such-decision",
        ),
        ({"decisions": [{"id": "X", "team": "ops", "status": "owned"}]}, "decisions.0.status"),
        (
            {
                "decisions": [
                    {
                        "id": "X",
                        "team": "ops",
                        "status": "verified",
                        "enforcement": {"platform": "pve"},
                    }
                ]
            },
            "verified without a passing verification",
        ),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_owners_files_change_nothing(
    neo4j_instance: Neo4jInstance,
    graph: Any,
    scenario: VcsimServer,
    tmp_path: Any,
    change: dict[str, Any],
    message: str,
) -> None:
    import yaml

    ingest_vcenter(neo4j_instance, scenario)
    real = next(d["id"] for d in _decisions(neo4j_instance, "--state", "active"))
    data: dict[str, Any] = {"version": 1, "teams": [{"name": "ops"}], **change}
    for d in data.get("decisions", []):
        d["id"] = real if d["id"] == "X" else d["id"]
    path = tmp_path / "owners.yaml"
    path.write_text(yaml.safe_dump(data))
    proc = neo4j_instance.cli("owners", "import", str(path))
    assert proc.returncode == 2 and message in proc.stderr and "nothing imported" in proc.stderr
    teams = json.loads(neo4j_instance.cli("teams", "list", "--json", check=True).stdout)
    assert teams == []


def test_readiness_report(
    neo4j_instance: Neo4jInstance, graph: Any, scenario: VcsimServer, tmp_path: Any
) -> None:
    ingest_vcenter(neo4j_instance, scenario)
    cli = neo4j_instance.cli
    found = _decisions(neo4j_instance, "--state", "active")
    ha = next(d["id"] for d in found if d["kind"] == "cluster_ha")
    cli("teams", "add", "ops", check=True)
    for args in (
        ("assign", ha, "--team", "ops"),
        ("accept", ha),
        ("enforce", ha, "--platform", "pve", "--process"),
        ("verify", ha, "--method", "dr_drill", "--result", "pass"),
    ):
        cli("decisions", *args, check=True)
    proc = cli("report", "--out", str(tmp_path / "r"), check=True)
    assert f"1 of {len(found)} decisions verified" in proc.stdout
    markdown = (tmp_path / "r" / "readiness.md").read_text()
    per_category = Counter(d["category"] for d in found)
    fr = per_category["failure_recovery"]
    assert f"| failure_recovery | {fr} | 1 | 1 | 1 |" in markdown
    assert f"| placement | {per_category['placement']} | 0 | 0 | 0 | 0% |" in markdown
    assert f"| all | {len(found)} | 1 | 1 | 1 |" in markdown
    assert "| storage_allocation | 0 | 0 | 0 | 0 | n/a |" in markdown
    vacuums = markdown.split("## Authority vacuums, largest blast radius first\n", 1)[1]
    vacuums = vacuums.split("\n## ", 1)[0]
    vacuum_rows = [line for line in vacuums.splitlines() if line.startswith("| ") and "(`" in line]
    assert len(vacuum_rows) == min(25, len(found) - 1)
    radii = [int(line.split("|")[3]) for line in vacuum_rows]
    assert radii == sorted(radii, reverse=True)  # largest blast radius first
    page = (tmp_path / "r" / "readiness.html").read_text()
    assert page.startswith("<!doctype html>") and "Day-90 readiness" in page
