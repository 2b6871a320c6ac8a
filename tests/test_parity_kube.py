"""Parity on the real kube-apiserver: a vcsim estate ingested through the CLI, its migrated
counterpart created in the cluster and collected, then ``authmap parity`` through the CLI.
Every status of placement, change authority, capacity, network VLAN, HA restart priority and
storage policy; target-only authority; VMs mapped by MAC alone, ambiguous and unmatched VMs;
stored results; idempotent re-ingest; and SubjectAccessReview as the oracle of
change-authority verdicts for generated principals and bindings."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client as k8s

from app.graph import Graph
from app.parity.privileges import translate
from tests.conftest import Neo4jInstance, query
from tests.support.ingest import ingest_vcenter
from tests.support.kube import KubeCluster
from tests.support.parity_ha_storage import POLICY_MAP, macs, write_storage_policies
from tests.support.parity_scenario import (
    HOST_MAP,
    PROD,
    build_source,
    build_target,
    ingest_target,
    random_grants,
    uuids,
)
from tests.support.parity_scenario import by_summary as _status
from tests.support.vcsim import VcsimServer, ensure_vcsim_binary

pytestmark = pytest.mark.timeout(1800)  # the module's estate: vcsim, a cluster and two ingests


@pytest.fixture(scope="module")
def estate(
    neo4j_instance: Neo4jInstance,
    kube_cluster: KubeCluster,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("parity")
    with VcsimServer(ensure_vcsim_binary(), cluster=1, host=3, vm=8, standalone_host=0) as sim:
        build_source(sim)
        build_target(kube_cluster, uuids(sim), macs(sim))
        with Graph(neo4j_instance.settings()) as g:
            g.write_chunked("admin/wipe", {})
            g.apply_schema()
            ingest_vcenter(neo4j_instance, sim)
            ingest_target(neo4j_instance, kube_cluster)
        vm_ids = query(neo4j_instance, "MATCH (v:VirtualMachine) RETURN v.name AS n, v.id AS id")
        write_storage_policies(tmp / "spbm.jsonl", {r["n"]: r["id"] for r in vm_ids})
        neo4j_instance.cli("load", str(tmp / "spbm.jsonl"), check=True)
        map_file = tmp / "map.yaml"
        map_file.write_text(json.dumps({"hosts": HOST_MAP, "storage_policies": POLICY_MAP}))
        yield {"map": map_file, "kubeconfig": kube_cluster.kubeconfig, "dir": tmp, "sim": sim}


def _parity(
    instance: Neo4jInstance, estate: dict[str, Any], *args: str
) -> subprocess.CompletedProcess[str]:
    return instance.cli(
        "parity", "--kubeconfig", str(estate["kubeconfig"]), "--map", str(estate["map"]), *args
    )


@pytest.fixture(scope="module")
def report(neo4j_instance: Neo4jInstance, estate: dict[str, Any]) -> dict[str, Any]:
    proc = _parity(neo4j_instance, estate, "--format", "json")
    (Path(estate["dir"]) / "report.json").write_text(proc.stdout)  # kept for failures
    assert proc.returncode == 1, proc.stderr  # drifted and missing decisions: findings
    return dict(json.loads(proc.stdout))


def test_vm_mapping(report: dict[str, Any]) -> None:
    m = report["vm_mapping"]
    by = {x["source"]: (x["target"], x["by"]) for x in m["matched"]}
    assert by["DC0_C0_RP0_VM0"] == (f"{PROD}/sql-a", "serial")  # VMware serial format
    assert by["DC0_C0_RP0_VM1"] == (f"{PROD}/sql-b", "serial")  # plain UUID
    assert by["DC0_C0_RP0_VM2"] == (f"{PROD}/web-a", "firmware_uuid")
    assert by["DC0_C0_RP0_VM3"] == (f"{PROD}/dc0-c0-rp0-vm3", "name")
    ambiguous = {x["source"]: x["candidates"] for x in m["ambiguous"]}
    assert ambiguous["DC0_C0_RP0_VM5"] == ["parity-dev/dc0-c0-rp0-vm5", f"{PROD}/dc0-c0-rp0-vm5"]
    assert "DC0_C0_RP0_VM4" in m["unmatched"]
    assert by["DC0_C0_RP0_VM6"] == (f"{PROD}/mac-only", "mac")  # no serial, no uuid, other name
    assert ambiguous["DC0_C0_RP0_VM7"] == ["parity-dev/twin-b", f"{PROD}/twin-a"]  # shared MAC
    assert not {f"{PROD}/twin-a", "parity-dev/twin-b"} & set(by.values())  # never guessed


PLACEMENT = [
    ("DRS keeps & DC0_C0_RP0_VM0 & DC0_C0_RP0_VM1 & different hosts", "enforced", "apart"),
    ("DRS keeps & DC0_C0_RP0_VM2 & DC0_C0_RP0_VM3 & different hosts", "drifted", "only preferred"),
    ("DRS keeps & DC0_C0_RP0_VM0 & DC0_C0_RP0_VM2 & together", "missing", "no pod affinity"),
    ("DRS keeps & DC0_C0_RP0_VM4 & DC0_C0_RP0_VM5 & on different hosts", "unmapped", "ambiguous"),
    ("the VMs of group db-vms on the hosts of group rack-ab", "enforced", "required node affinity"),
    ("the VMs of group web-vms on the hosts of group rack-c", "drifted", "not parity-worker-2"),
]  # fmt: skip


@pytest.mark.parametrize(("summary", "status", "says"), PLACEMENT)
def test_placement(report: dict[str, Any], summary: str, status: str, says: str) -> None:
    d = _status(report, summary)
    assert d["status"] == status, d["explanation"]
    assert any(says in line for line in d["explanation"]), d["explanation"]


def test_placement_evidence(report: dict[str, Any]) -> None:
    d = _status(report, "group db-vms on the hosts of group rack-ab")
    names = {(e["kind"], e["name"]) for e in d["evidence"]}
    assert {
        ("VirtualMachine", f"{PROD}/sql-a"),
        ("Node", "parity-worker-0"),
        ("Node", "parity-worker-1"),
    } <= names
    assert d["vms"] == {"mapped": [f"{PROD}/sql-a", f"{PROD}/sql-b"], "unmapped": []}


AUTHORITY = [
    (
        "Group CORP\\vm-operators holds role VM Operator",
        "enforced",
        "the target allows Group vm-operators",
    ),
    ("Group CORP\\vm-viewers holds role ReadOnly", "drifted", "list virtualmachines"),
    ("Group CORP\\db-admins holds role VM Config", "missing", "the target denies Group db-admins"),
    ("Group CORP\\host-admins holds role Host Ops", "gap", "no privilege the target can check"),
    ("User CORP\\mallory holds role NoAccess", "enforced", "granted nothing"),
    ("Group CORP\\legacy holds role Admin", "unmapped", "none of its 1 VM(s)"),
]


@pytest.mark.parametrize(("summary", "status", "says"), AUTHORITY)
def test_change_authority(report: dict[str, Any], summary: str, status: str, says: str) -> None:
    d = _status(report, summary)
    assert d["status"] == status, d["explanation"]
    assert any(says in line for line in d["explanation"]), d["explanation"]


def test_change_authority_evidence_is_the_binding(report: dict[str, Any]) -> None:
    d = _status(report, "Group CORP\\vm-operators holds role VM Operator")
    assert {(e["kind"], e["name"], e.get("detail")) for e in d["evidence"]} == {
        ("RoleBinding", f"{PROD}/operators", "ClusterRole parity-vm-operator")
    }
    assert d["vms"]["unmapped"] == ["DC0_C0_RP0_VM4", "DC0_C0_RP0_VM5", "DC0_C0_RP0_VM7"]


def test_target_only_authority(report: dict[str, Any]) -> None:
    mine = {
        (f["subject"], f["binding"], f["role"], f["scope"])
        for f in report["target_only"]
        if f["subject"] in {"Group platform-admins", "ServiceAccount gitops/argocd"}
    }
    assert mine == {
        (
            "Group platform-admins",
            "ClusterRoleBinding parity-platform-admins",
            "ClusterRole cluster-admin",
            "every namespace",
        ),
        (
            "ServiceAccount gitops/argocd",
            f"RoleBinding {PROD}/operators",
            "ClusterRole parity-vm-operator",
            f"namespace {PROD}",
        ),
    }
    subjects = {f["subject"] for f in report["target_only"]}
    assert "Group vm-operators" not in subjects  # it has a source grant
    assert not any(s.split(" ", 1)[1].startswith("system:") for s in subjects)
    why = next(f["why"] for f in report["target_only"] if f["subject"] == "Group platform-admins")
    assert "no source grant maps to this subject" in why


CAPACITY = [
    ("VM DC0_C0_RP0_VM0 reserves 2048 MB memory", "enforced"),
    ("VM DC0_C0_RP0_VM1 reserves 8192 MB memory", "drifted"),
    ("VM DC0_C0_RP0_VM2 is limited to 4096 MB memory", "missing"),
    ("VM DC0_C0_RP0_VM3 has high CPU shares", "gap"),
    ("VM DC0_C0_RP0_VM4 reserves 1024 MB memory", "unmapped"),
    ("Resource pool gold is limited to 16384 MB memory", "enforced"),
    ("Resource pool silver is limited to 8192 MB memory", "drifted"),
]


@pytest.mark.parametrize(("summary", "status"), CAPACITY)
def test_capacity(report: dict[str, Any], summary: str, status: str) -> None:
    d = _status(report, summary)
    assert d["status"] == status, d["explanation"]


NETWORK = [
    ("Port group pg-db-120 ", "enforced", "the port group has no VMs"),
    ("Port group pg-mgmt-170 ", "missing", "no NetworkAttachmentDefinition carries VLAN 170"),
    ("Port group pg-app-140 ", "drifted", f"{PROD}/sql-b is on {PROD}/vlan130"),
    ("Port group pg-db-150 ", "enforced", f"{PROD}/web-a is on {PROD}/vlan150"),
    ("Port group pg-old-160 ", "unmapped", "none of its"),
]


@pytest.mark.parametrize(("summary", "status", "says"), NETWORK)
def test_network_vlan(report: dict[str, Any], summary: str, status: str, says: str) -> None:
    d = _status(report, summary)
    assert d["status"] == status, d["explanation"]
    assert any(says in line for line in d["explanation"]), d["explanation"]


RECOVERY = [
    ("HA treats VM DC0_C0_RP0_VM0 in", "enforced", "keep the restart order of 2 pair(s)"),
    ("HA treats VM DC0_C0_RP0_VM1 in", "drifted", f"{PROD}/mac-only (restart priority medium"),
    ("HA treats VM DC0_C0_RP0_VM2 in", "enforced", "run strategy Manual: not restarted"),
    ("HA treats VM DC0_C0_RP0_VM3 in", "missing", "no class (priority 0) where the source"),
    ("HA treats VM DC0_C0_RP0_VM4 in", "unmapped", "none of its 1 VM(s)"),
    ("HA treats VM DC0_C0_RP0_VM6 in", "gap", "isolation response powerOff"),
    ("HA restarts the & of cluster DC0_C0", "drifted", f"is not above {PROD}/sql-b"),
]  # fmt: skip


STORAGE = [
    ("Storage policy Gold ", "enforced", "have a volume of StorageClass parity-fast"),
    ("Storage policy Silver ", "drifted", f"{PROD}/dc0-c0-rp0-vm3 has no volume"),
    ("Storage policy Bronze ", "missing", "its volumes use: no StorageClass"),
    ("Storage policy Tin ", "gap", "no entry in the storage_policies section of --map"),
    ("Storage policy Platinum ", "gap", "no parameter that expresses an IOPS limit"),
    ("Storage policy Archive ", "unmapped", "none of its 1 VM(s)"),
]  # fmt: skip


@pytest.mark.parametrize(("summary", "status", "says"), RECOVERY + STORAGE)
def test_restart_priority_and_storage_policy(
    report: dict[str, Any], summary: str, status: str, says: str
) -> None:
    d = _status(report, summary)
    assert d["status"] == status, d["explanation"]
    assert any(says in line for line in d["explanation"]), d["explanation"]


def test_results_are_stored_with_their_decisions(
    neo4j_instance: Neo4jInstance, report: dict[str, Any]
) -> None:
    rows = query(
        neo4j_instance,
        "MATCH (p:ParityResult {latest: true})-[:PARITY_OF]->(d:Decision) "
        "RETURN d.id AS id, p.status AS status, p.target AS target, p.run AS run",
    )
    stored = {r["id"]: r["status"] for r in rows if r["run"] == report["target"]["run"]}
    assert stored == {d["decision_id"]: d["status"] for d in report["decisions"]}
    linked = query(
        neo4j_instance,
        "MATCH (p:ParityResult {run: $run})-[:TARGET_EVIDENCE]->(t:K8sRoleBinding) "
        "RETURN DISTINCT t.name AS name",
        run=report["target"]["run"],
    )
    assert "operators" in {r["name"] for r in linked}
    events = query(neo4j_instance, "MATCH (e:Event) RETURN count(e) AS n")
    assert events == [{"n": 0}]  # parity never touches ownership


def test_reingest_is_idempotent(
    neo4j_instance: Neo4jInstance,
    estate: dict[str, Any],
    report: dict[str, Any],
    kube_cluster: KubeCluster,
) -> None:
    """Ingesting both sides again changes no node count and no verdict of these categories."""
    count = "MATCH (n) WHERE n:VirtualMachine OR n:K8sObject OR n:Decision RETURN count(n) AS n"
    before = query(neo4j_instance, count)
    ingest_vcenter(neo4j_instance, estate["sim"])
    ingest_target(neo4j_instance, kube_cluster)
    assert query(neo4j_instance, count) == before
    wanted = ("failure_recovery", "storage_allocation", "placement", "capacity")
    args = [a for c in wanted for a in ("--category", c)]
    again = json.loads(_parity(neo4j_instance, estate, *args, "--format", "json").stdout)
    assert {(d["decision_id"], d["status"]) for d in again["decisions"]} == {
        (d["decision_id"], d["status"]) for d in report["decisions"] if d["category"] in wanted
    }
    assert again["vm_mapping"] == report["vm_mapping"]


def test_sar_oracle_for_generated_principals(
    report: dict[str, Any], kube_cluster: KubeCluster
) -> None:
    """authmap's verdict for each generated grant equals what direct reviews say of each
    translated request on each of its VMs."""
    authz = k8s.AuthorizationV1Api(kube_cluster.api_client())
    generated = [d for d in report["decisions"] if "holds role gen-role-" in d["summary"]]
    assert len(generated) == len(random_grants())
    statuses = set()
    for d in generated:
        i = int(d["summary"].split("gen-role-")[1].split(" ")[0])
        group, privileges, _ = random_grants()[i]
        # vSphere adds System.Anonymous, System.View and System.Read to every role
        checks = translate([*privileges, "System.Anonymous", "System.View", "System.Read"]).checks
        answers = []
        for vm in d["vms"]["mapped"]:
            ns, name = vm.split("/")
            for c in checks:
                attrs = {
                    "namespace": ns,
                    "verb": c.verb,
                    "group": c.group,
                    "resource": c.resource,
                    "subresource": c.subresource,
                    "name": name if c.named else "",
                }
                body = {
                    "apiVersion": "authorization.k8s.io/v1",
                    "kind": "SubjectAccessReview",
                    "spec": {"groups": [group], "resourceAttributes": attrs},
                }
                answers.append(bool(authz.create_subject_access_review(body).status.allowed))  # type: ignore[arg-type, union-attr]
        expected = "enforced" if all(answers) else "drifted" if any(answers) else "missing"
        assert d["status"] == expected, (d["summary"], d["explanation"], answers)
        statuses.add(expected)
    assert len(statuses) >= 2, statuses  # the generator reaches more than one verdict


def test_formats_and_exit_codes(neo4j_instance: Neo4jInstance, estate: dict[str, Any]) -> None:
    junit = _parity(
        neo4j_instance, estate, "--format", "junit", "--category", "network_authority", "--no-store"
    )
    assert junit.returncode == 1
    assert "<testsuite" in junit.stdout and 'failures="' in junit.stdout
    md = _parity(
        neo4j_instance,
        estate,
        "--format",
        "markdown",
        "--category",
        "capacity",
        "--fail-on",
        "unmapped",
        "--no-store",
    )
    assert md.returncode == 1 and "| **gap** |" in md.stdout
    clean = _parity(
        neo4j_instance, estate, "--category", "capacity", "--fail-on", "target-only", "--no-store"
    )
    assert clean.returncode == 0, clean.stderr  # capacity never reports target-only authority
    bad = _parity(neo4j_instance, estate, "--category", "nonsense")
    assert bad.returncode == 2 and "unknown category" in bad.stderr
    no_kube = neo4j_instance.cli("parity", "--category", "change_authority")
    assert no_kube.returncode == 2 and "--kubeconfig" in no_kube.stderr
    broken = Path(estate["dir"]) / "broken.yaml"
    broken.write_text("hosts: [1]\n")
    bad_map = neo4j_instance.cli("parity", "--category", "placement", "--map", str(broken))
    assert bad_map.returncode == 2 and "hosts" in bad_map.stderr
    missing_target = _parity(neo4j_instance, estate, "--target", "nowhere")
    assert missing_target.returncode == 2 and "no target 'nowhere'" in missing_target.stderr


def test_verify_by_target_read_and_drift_moves_it_back(
    neo4j_instance: Neo4jInstance,
    estate: dict[str, Any],
    report: dict[str, Any],
    kube_cluster: KubeCluster,
) -> None:
    """Runs last: it changes the target."""
    d = _status(report, "Group CORP\\vm-operators holds role VM Operator")
    cli = neo4j_instance.cli
    assert cli("teams", "add", "platform").returncode == 0
    assert cli("platforms", "add", "ocp", "--kind", "OpenShift Virtualization").returncode == 0
    for args in (
        ("assign", d["decision_id"], "--team", "platform"),
        ("accept", d["decision_id"]),
        (
            "enforce",
            d["decision_id"],
            "--platform",
            "ocp",
            "--reference",
            f"RoleBinding {PROD}/operators",
        ),
    ):
        proc = cli("decisions", *args)
        assert proc.returncode == 0, proc.stderr
    ok = cli("decisions", "verify", d["decision_id"], "--method", "target-read")
    assert ok.returncode == 0 and ": verified" in ok.stdout, ok.stdout + ok.stderr
    k8s.RbacAuthorizationV1Api(kube_cluster.api_client()).delete_namespaced_role_binding(
        "operators", PROD
    )
    ingest_target(neo4j_instance, kube_cluster)
    again = _parity(neo4j_instance, estate, "--category", "change_authority", "--format", "json")
    after = _status(json.loads(again.stdout), "Group CORP\\vm-operators holds role VM Operator")
    assert after["status"] == "missing"
    events = json.loads(cli("events", "--decision", d["decision_id"], "--json").stdout)
    verify = [e for e in events if e["action"] == "verify"]
    newest_first = [(e["before_status"], e["after_status"]) for e in verify]
    assert newest_first == [("verified", "enforced"), ("enforced", "verified")]
    assert verify[0]["detail"] == "target-read: fail"
