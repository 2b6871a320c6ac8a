# ruff: noqa: E501  (tables of cases: one case per line reads better than wrapped)
"""Parity on a Proxmox VE target: the vcsim estate of the Kubernetes parity test ingested
through the CLI, its migrated counterpart served by the schema-checked PVE replay server
(PVE 9 with HA rules, PVE 8 with HA groups) and ingested with ``authmap ingest proxmox``, then
``authmap parity``. Every status of placement, change authority (by Proxmox's permission
rules), capacity, network VLAN, HA and storage; target-only ACLs; VMs mapped by smbios1 uuid,
MAC and the ESXi-import name, ambiguous and unmatched; stored results and their evidence."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.graph import Graph
from tests.conftest import Neo4jInstance, query, run_cli
from tests.support.ingest import ingest_vcenter
from tests.support.parity_ha_storage import macs, write_storage_policies
from tests.support.parity_scenario import build_source, uuids
from tests.support.parity_scenario import by_summary as _status
from tests.support.pve_parity_scenario import CLUSTER, HOST_MAP, POLICY_MAP, documents
from tests.support.pve_replay import TOKEN_ID, TOKEN_SECRET, PveReplay
from tests.support.vcsim import VcsimServer, ensure_vcsim_binary

pytestmark = pytest.mark.timeout(1800)  # the module's estate: vcsim and three ingests


def _ingest_pve(instance: Neo4jInstance, replay: PveReplay) -> None:
    proc = run_cli(
        "ingest", "proxmox", "--server", replay.url, "--ca-file", str(replay.ca_file),
        "--token-id", TOKEN_ID, "--token-secret-env", "PVE_SECRET",
        env={**instance.env, "PVE_SECRET": TOKEN_SECRET},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "gap" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def estate(
    neo4j_instance: Neo4jInstance, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("pve-parity")
    with VcsimServer(ensure_vcsim_binary(), cluster=1, host=3, vm=8, standalone_host=0) as sim:
        build_source(sim)
        ids, nics = uuids(sim), macs(sim)
        with Graph(neo4j_instance.settings()) as g:
            g.write_chunked("admin/wipe", {})
            g.apply_schema()
        ingest_vcenter(neo4j_instance, sim)
    vm_ids = query(neo4j_instance, "MATCH (v:VirtualMachine) RETURN v.name AS n, v.id AS id")
    write_storage_policies(tmp / "spbm.jsonl", {r["n"]: r["id"] for r in vm_ids})
    neo4j_instance.cli("load", str(tmp / "spbm.jsonl"), check=True)
    for version in (9, 8):
        with PveReplay(version=version, documents=documents(version, ids, nics)) as replay:
            _ingest_pve(neo4j_instance, replay)
    map_file = tmp / "map.yaml"
    map_file.write_text(
        json.dumps({"hosts": HOST_MAP, "storage_policies": POLICY_MAP, "cpu_mhz_per_core": 2000})
    )
    yield {"map": map_file, "dir": tmp, "macs": nics}


def _parity(
    instance: Neo4jInstance, estate: dict[str, Any], version: int, *args: str
) -> subprocess.CompletedProcess[str]:
    return instance.cli("parity", "--target", CLUSTER[version], "--map", str(estate["map"]), *args)


@pytest.fixture(scope="module")
def report(neo4j_instance: Neo4jInstance, estate: dict[str, Any]) -> dict[str, Any]:
    proc = _parity(neo4j_instance, estate, 9, "--format", "json")
    (Path(estate["dir"]) / "report.json").write_text(proc.stdout)  # kept for failures
    assert proc.returncode == 1, proc.stderr  # drifted and missing decisions: findings
    return dict(json.loads(proc.stdout))


@pytest.fixture(scope="module")
def report8(neo4j_instance: Neo4jInstance, estate: dict[str, Any]) -> dict[str, Any]:
    proc = _parity(neo4j_instance, estate, 8, "--format", "json", "--no-store")
    assert proc.returncode == 1, proc.stderr
    return dict(json.loads(proc.stdout))


def test_target_and_vm_mapping(report: dict[str, Any]) -> None:
    assert report["target"]["platform"] == "proxmox"
    assert (report["target"]["name"], report["target"]["vms"]) == (CLUSTER[9], 6)
    m = report["vm_mapping"]
    by = {x["source"]: (x["target"], x["by"]) for x in m["matched"]}
    assert by["DC0_C0_RP0_VM0"] == ("sql-a (101)", "smbios1")
    assert by["DC0_C0_RP0_VM1"] == ("sql-b (102)", "smbios1")  # upper-case uuid
    assert by["DC0_C0_RP0_VM2"] == ("web-a (103)", "mac")  # another smbios1 uuid, its MAC
    assert by["DC0_C0_RP0_VM3"] == ("DC0C0RP0VM3 (104)", "name")  # as the ESXi import names it
    ambiguous = {x["source"]: x["candidates"] for x in m["ambiguous"]}
    assert ambiguous["DC0_C0_RP0_VM5"] == ["DC0C0RP0VM5 (105)", "DC0C0RP0VM5 (106)"]
    assert {"DC0_C0_RP0_VM4", "DC0_C0_RP0_VM6", "DC0_C0_RP0_VM7"} <= set(m["unmatched"])


PLACEMENT = [
    ("DRS keeps & DC0_C0_RP0_VM0 & DC0_C0_RP0_VM1 & different hosts", "enforced", "HA rule db-apart"),
    ("DRS keeps & DC0_C0_RP0_VM2 & DC0_C0_RP0_VM3 & different hosts", "drifted", "web-apart: negative resource affinity is disabled"),
    ("DRS keeps & DC0_C0_RP0_VM0 & DC0_C0_RP0_VM2 & together", "missing", "no HA resource-affinity rule"),
    ("DRS keeps & DC0_C0_RP0_VM4 & DC0_C0_RP0_VM5 & on different hosts", "unmapped", "ambiguous"),
    ("the VMs of group db-vms on the hosts of group rack-ab", "enforced", "strict node affinity keeps them on pve1, pve2"),
    ("the VMs of group web-vms on the hosts of group rack-c", "drifted", "DC0C0RP0VM3 (104) has no node-affinity rule"),
]  # fmt: skip


@pytest.mark.parametrize(("summary", "status", "says"), PLACEMENT)
def test_placement(report: dict[str, Any], summary: str, status: str, says: str) -> None:
    d = _status(report, summary)
    assert d["status"] == status, d["explanation"]
    assert any(says in line for line in d["explanation"]), d["explanation"]


PLACEMENT8 = [
    ("DRS keeps & DC0_C0_RP0_VM0 & DC0_C0_RP0_VM1 & different hosts", "gap", "Proxmox VE 8 has no HA resource-affinity rules"),
    ("DRS keeps & DC0_C0_RP0_VM0 & DC0_C0_RP0_VM2 & together", "gap", "Proxmox VE 8"),
    ("the VMs of group db-vms on the hosts of group rack-ab", "enforced", "strict HA group keeps them on pve1, pve2"),
    ("the VMs of group web-vms on the hosts of group rack-c", "drifted", "DC0C0RP0VM3 (104) has no HA group"),
]  # fmt: skip


@pytest.mark.parametrize(("summary", "status", "says"), PLACEMENT8)
def test_placement_on_pve8(report8: dict[str, Any], summary: str, status: str, says: str) -> None:
    assert report8["target"]["name"] == CLUSTER[8]
    d = _status(report8, summary)
    assert d["status"] == status, d["explanation"]
    assert any(says in line for line in d["explanation"]), d["explanation"]


AUTHORITY = [
    ("Group CORP\\vm-operators holds role VM Operator", "enforced", "group vm-operators-corp holds VM.Audit, VM.Console, VM.PowerMgmt on 4 guest(s)"),
    ("Group CORP\\vm-viewers holds role ReadOnly", "missing", "lacks VM.Audit on /vms/101"),
    ("Group CORP\\db-admins holds role VM Config", "drifted", "lacks VM.Config.Memory on /vms/103"),
    ("Group CORP\\host-admins holds role Host Ops", "gap", "no privilege Proxmox VE can check"),
    ("User CORP\\mallory holds role NoAccess", "enforced", "user mallory@corp holds no VM-control privilege"),
    ("Group CORP\\legacy holds role Admin", "unmapped", "none of its 1 VM(s)"),
]  # fmt: skip


@pytest.mark.parametrize(("summary", "status", "says"), AUTHORITY)
def test_change_authority(report: dict[str, Any], summary: str, status: str, says: str) -> None:
    d = _status(report, summary)
    assert d["status"] == status, d["explanation"]
    assert any(says in line for line in d["explanation"]), d["explanation"]


def test_change_authority_evidence_is_the_acl(report: dict[str, Any]) -> None:
    operators = _status(report, "Group CORP\\vm-operators holds role VM Operator")
    assert {(e["kind"], e["name"]) for e in operators["evidence"]} == {
        ("PveAcl", "/pool/prod vm-operators-corp")
    }
    mallory = _status(report, "User CORP\\mallory holds role NoAccess")
    assert ("PveAcl", "/vms/104 mallory@corp", "role NoAccess") in {
        (e["kind"], e["name"], e.get("detail")) for e in mallory["evidence"]
    }  # the user's own NoAccess beats the group's pool role


def test_target_only_authority(report: dict[str, Any]) -> None:
    found = {(f["subject"], f["binding"], f["role"]) for f in report["target_only"]}
    assert ("Group platform-admins", "ACL /", "role Administrator") in found
    assert ("Token ci@pve!deploy", "ACL /vms", "role PVEVMAdmin") in found
    assert ("User ci@pve", "ACL /vms", "role PVEVMAdmin") in found
    subjects = {f["subject"] for f in report["target_only"]}
    assert not {"User root@pam", "Group vm-operators-corp", "Group db-admins-corp"} & subjects
    assert not any("svc-authmap" in s for s in subjects)  # an auditor controls nothing


CAPACITY = [
    ("VM DC0_C0_RP0_VM0 reserves 2048 MB memory", "gap", "Proxmox VE guarantees a guest nothing"),
    ("VM DC0_C0_RP0_VM2 is limited to 4096 MB memory", "enforced", "cannot use more than"),
    ("VM DC0_C0_RP0_VM3 has high CPU shares", "enforced", "cpuunits 200 keeps the order of CPU shares against 3"),
    ("VM DC0_C0_RP0_VM4 reserves 1024 MB memory", "unmapped", "none of its 1 VM(s)"),
    ("Resource pool gold is limited to 16384 MB memory", "gap", "pools group guests"),
]  # fmt: skip

NETWORK = [
    ("Port group pg-db-120 ", "enforced", "VNet vnet120 carries VLAN 120 (no VMs)"),
    ("Port group pg-mgmt-170 ", "missing", "no SDN VNet carries VLAN 170"),
    ("Port group pg-app-140 ", "drifted", "sql-b (102) has no NIC on VLAN 140 (its NICs: net0 vnet130)"),
    ("Port group pg-db-150 ", "enforced", "web-a (103): net0 tag 150"),
    ("Port group pg-old-160 ", "unmapped", "none of its"),
]  # fmt: skip

RECOVERY = [
    ("HA treats VM DC0_C0_RP0_VM0 in", "gap", "Proxmox VE HA has no restart priority"),
    ("HA treats VM DC0_C0_RP0_VM2 in", "enforced", "web-a (103): HA state ignored, not restarted"),
    ("HA treats VM DC0_C0_RP0_VM6 in", "unmapped", "none of its 1 VM(s)"),
    ("HA restarts the & of cluster DC0_C0", "drifted", "DC0C0RP0VM3 (104): HA state stopped"),
]  # fmt: skip

STORAGE = [
    ("Storage policy Gold ", "enforced", "all 2 guest(s) have a disk on ceph-gold"),
    ("Storage policy Silver ", "drifted", "DC0C0RP0VM3 (104) has no disk on ceph-silver (its disks: local-lvm)"),
    ("Storage policy Tin ", "missing", "storage nvme-tin, which the target does not have"),
    ("Storage policy Platinum ", "enforced", "sql-a (101) scsi1: IOPS limit 5000 (policy 5000)"),
    ("Storage policy Archive ", "unmapped", "none of its 1 VM(s)"),
]  # fmt: skip


@pytest.mark.parametrize(("summary", "status", "says"), CAPACITY + NETWORK + RECOVERY + STORAGE)
def test_capacity_network_recovery_storage(
    report: dict[str, Any], summary: str, status: str, says: str
) -> None:
    d = _status(report, summary)
    assert d["status"] == status, d["explanation"]
    assert any(says in line for line in d["explanation"]), d["explanation"]


def test_every_status_is_shown(report: dict[str, Any]) -> None:
    assert {d["status"] for d in report["decisions"]} == {
        "enforced", "drifted", "missing", "gap", "unmapped"
    }  # fmt: skip


def test_results_are_stored_with_their_proxmox_evidence(
    neo4j_instance: Neo4jInstance, report: dict[str, Any]
) -> None:
    rows = query(
        neo4j_instance,
        "MATCH (p:ParityResult {run: $run})-[:PARITY_OF]->(d:Decision) "
        "RETURN d.id AS id, p.status AS status",
        run=report["target"]["run"],
    )
    assert {r["id"]: r["status"] for r in rows} == {
        d["decision_id"]: d["status"] for d in report["decisions"]
    }
    linked = query(
        neo4j_instance,
        "MATCH (p:ParityResult {run: $run})-[:TARGET_EVIDENCE]->(t:PveObject) "
        "RETURN DISTINCT labels(t) AS labels",
        run=report["target"]["run"],
    )
    kinds = {label for r in linked for label in r["labels"] if label.startswith("Pve")}
    assert {"PveAcl", "PveHaRule", "PveGuest", "PveVnet", "PveStorage"} <= kinds


def test_cli_refuses_a_kubeconfig_for_a_proxmox_target(
    neo4j_instance: Neo4jInstance, estate: dict[str, Any]
) -> None:
    kubeconfig = Path(estate["dir"]) / "kubeconfig"
    kubeconfig.write_text("apiVersion: v1\nkind: Config\n")
    proc = _parity(neo4j_instance, estate, 9, "--kubeconfig", str(kubeconfig), "--no-store")
    assert proc.returncode == 2 and "--kubeconfig is for Kubernetes targets" in proc.stderr
    several = neo4j_instance.cli("parity", "--category", "placement", "--no-store")
    assert several.returncode == 2 and "several targets" in several.stderr
    assert f"{CLUSTER[9]} (proxmox)" in several.stderr
    table = _parity(neo4j_instance, estate, 9, "--category", "capacity", "--no-store")
    assert table.returncode == 0, table.stderr  # capacity has no drifted/missing decision here
    assert f"{CLUSTER[9]}:" in table.stdout and "enforced" in table.stdout
