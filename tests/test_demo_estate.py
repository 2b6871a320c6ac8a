"""The demo estate of ``make demo``: the shipped files are valid and small, loading them the way
``make demo`` does (``python -m demo.load``) gives what the README and docs/demo.md promise,
loading twice changes nothing, and regenerating them from the scenario gives the same records.

The loading tests need only the session's Neo4j; the regeneration test also runs vcsim and a
Samba DC on 127.0.0.30 (root, for the loopback alias) and is skipped where those are missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.graph import Graph
from app.snapshot import iter_records, validate
from demo.load import steps
from demo.scenario import AD_FILE, OWNERS_FILE, VCENTER_FILE
from tests.conftest import REPO, Neo4jInstance, query

DEMO = REPO / "demo"


def _demo_load(instance: Neo4jInstance) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "demo.load", "--quiet"],
        capture_output=True,
        text=True,
        env={**os.environ, **instance.env},
        cwd=REPO,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


@pytest.fixture(scope="module")
def demo(neo4j_instance: Neo4jInstance) -> Iterator[str]:
    """An emptied graph with the demo loaded once; yields what ``demo.load`` printed."""
    with Graph(neo4j_instance.settings()) as graph:
        graph.write_chunked("admin/wipe", {})
        graph.apply_schema()
    yield _demo_load(neo4j_instance).stdout


def _json(instance: Neo4jInstance, *args: str) -> Any:
    proc = instance.cli(*args, "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr  # audits exit 1 when they have findings
    return json.loads(proc.stdout)


def _audit(instance: Neo4jInstance, audit_id: str) -> dict[str, Any]:
    result: dict[str, Any] = _json(instance, "audit", "--only", audit_id)["audits"][0]
    return result


# -- the shipped files -------------------------------------------------------------------------
def test_shipped_snapshots_are_valid_and_small() -> None:
    vcenter, ad = validate(DEMO / VCENTER_FILE), validate(DEMO / AD_FILE)
    assert vcenter.header.source.kind == "vcenter"
    assert ad.header.source.kind == "ad"
    assert vcenter.counts["VirtualMachine"] >= 24
    assert vcenter.counts["DrsRule"] >= 5
    assert vcenter.counts["StoragePolicyAssociation"] > 0
    assert ad.counts["ADGroup"] > 0 and ad.counts["ADUser"] > 0
    for name in (VCENTER_FILE, AD_FILE):
        assert (DEMO / name).stat().st_size < 200_000, name
    owners = yaml.safe_load((DEMO / OWNERS_FILE).read_text())
    assert [t["name"] for t in owners["teams"]] == ["platform", "dba"]


def test_scenario_and_loader_have_help() -> None:
    for module in ("demo.scenario", "demo.load"):
        proc = subprocess.run(
            [sys.executable, "-m", module, "--help"],
            capture_output=True,
            text=True,
            cwd=REPO,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        assert "usage:" in proc.stdout
    usage = subprocess.run(
        [sys.executable, "-m", "demo.scenario", "--help"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
    )
    assert "--out" in usage.stdout and "--no-owners" in usage.stdout


def test_steps_are_the_documented_commands() -> None:
    assert [s[:2] for s in steps()] == [
        ["load", str(DEMO / VCENTER_FILE)],
        ["ingest", "runbooks"],
        ["owners", "import"],
    ]


# -- the loaded demo ---------------------------------------------------------------------------
def test_where_to_click_first(demo: str) -> None:
    assert "http://127.0.0.1:8000/" in demo
    assert "authmap who-can --entity sql-01" in demo
    assert "authority-vacuum" in demo


def test_estate_shape(neo4j_instance: Neo4jInstance, demo: str) -> None:
    clusters = query(
        neo4j_instance,
        "MATCH (c:Cluster) WHERE NOT c.standalone RETURN c.name AS name ORDER BY name",
    )
    assert [c["name"] for c in clusters] == ["Dev-A", "Prod-A", "Prod-B"]
    rules = query(
        neo4j_instance, "MATCH (r:DrsRule) RETURN r.rule_type AS type, count(*) AS n ORDER BY type"
    )
    assert {r["type"] for r in rules} == {"vm_affinity", "vm_anti_affinity", "vm_host"}
    overrides = query(
        neo4j_instance,
        "MATCH (o:VmOverride) RETURN o.override_type AS type, count(*) AS n ORDER BY type",
    )
    assert {o["type"]: o["n"] for o in overrides} == {"drs": 3, "ha": 4}
    kinds = Counter(
        d["kind"] for d in _json(neo4j_instance, "decisions", "list", "--state", "active")
    )
    for kind in (
        "vm_affinity",
        "vm_anti_affinity",
        "vm_host",
        "cluster_drs",
        "cluster_ha",
        "vm_ha_override",
        "vm_drs_override",
        "permission",
        "permission_power",
        "port_group",
        "storage_policy",
        "pool_allocation",
        "vm_allocation",
    ):
        assert kinds[kind] > 0, kind


def test_nested_groups_resolve_and_the_deleted_group_is_unresolved(
    neo4j_instance: Neo4jInstance, demo: str
) -> None:
    status = {
        r["principal"]: r["status"]
        for r in query(
            neo4j_instance,
            "MATCH (p:Permission) RETURN p.principal AS principal, p.principal_status AS status",
        )
    }
    assert status["CORP\\vSphere-Admins"] == "resolved"
    assert status["CORP\\DBA-Team"] == "resolved"
    assert status["CORP\\Old-Contractors"] == "unresolved"
    assert status["VSPHERE.LOCAL\\Administrators"] == "external"
    orphans = _audit(neo4j_instance, "orphaned-principals")
    assert [f["principal"] for f in orphans["findings"]] == ["CORP\\Old-Contractors"]

    # alice reaches Admin through CORP\Platform-Team -> CORP\vSphere-Admins.
    answers = _json(neo4j_instance, "effective", "--principal", "CORP\\alice", "--entity", "sql-01")
    answer = answers[0]
    assert "VirtualMachine.Interact.PowerOn" in answer["privileges"]
    assert any("CORP\\Platform-Team" in (step.get("via") or []) for step in answer["explanation"])


def test_who_can_on_a_demo_vm(neo4j_instance: Neo4jInstance, demo: str) -> None:
    answers = {a["principal"]: a for a in _json(neo4j_instance, "who-can", "--entity", "sql-01")}
    assert "VirtualMachine.Config.Memory" in answers["CORP\\carol"]["privileges"]  # DB-Admin
    assert "VirtualMachine.Interact.PowerOn" in answers["CORP\\alice"]["privileges"]
    # Developers are masked (NoAccess on Prod) in the folder chain: no power operations.
    judy = answers.get("CORP\\judy", {"privileges": []})
    assert "VirtualMachine.Interact.PowerOn" not in judy["privileges"]


def test_runbook_rot_teams_and_ownership(neo4j_instance: Neo4jInstance, demo: str) -> None:
    rot = _audit(neo4j_instance, "runbook-rot")
    paths = {f["path"] for f in rot["findings"]}
    assert "restore-legacy-erp.md" in paths  # names a cluster and VM that no longer exist
    assert "sql-ag-failover.md" in paths
    assert "access-review.md" not in paths  # translated
    assert rot["total"] == 6
    teams = query(neo4j_instance, "MATCH (t:Team) RETURN t.name AS name ORDER BY name")
    assert [t["name"] for t in teams] == ["dba", "platform"]
    statuses = Counter(
        d["status"] for d in _json(neo4j_instance, "decisions", "list", "--state", "active")
    )
    assert statuses["verified"] >= 2
    assert statuses["enforced"] >= 1 and statuses["accepted"] >= 1
    assert statuses["unowned"] > 0
    assert _audit(neo4j_instance, "authority-vacuum")["count"] > 0


def _fingerprint(instance: Neo4jInstance) -> dict[str, Any]:
    labels = query(
        instance,
        "MATCH (n) WHERE NOT n:SyncRun UNWIND labels(n) AS label "
        "RETURN label, count(*) AS n ORDER BY label",
    )
    rels = query(
        instance,
        "MATCH (a)-[r]->(b) WHERE NOT a:SyncRun AND NOT b:SyncRun "
        "RETURN type(r) AS type, count(*) AS n ORDER BY type",
    )
    decisions = query(
        instance,
        "MATCH (d:Decision) RETURN d.id AS id, d.status AS state, d.ownership_status AS status, "
        "d.owner AS owner, d.version AS version, d.summary AS summary ORDER BY id",
    )
    return {"labels": labels, "rels": rels, "decisions": decisions}


def test_loading_twice_changes_nothing(neo4j_instance: Neo4jInstance, demo: str) -> None:
    before = _fingerprint(neo4j_instance)
    _demo_load(neo4j_instance)
    assert _fingerprint(neo4j_instance) == before


# -- regeneration --------------------------------------------------------------------------------
def _regeneration_possible() -> str | None:
    if os.geteuid() != 0:
        return "the Samba DC needs root for its loopback address"
    if shutil.which("samba", path=os.environ.get("PATH", "") + ":/usr/sbin") is None:
        return "Samba is not installed (scripts/bootstrap.sh samba)"
    if shutil.which("go") is None and not any(
        (Path(os.environ.get("AUTHMAP_CACHE", Path.home() / ".cache/authmap")) / "bin").glob(
            "authmap-vcsim-*"
        )
    ):
        return "no vcsim launcher and no Go to build it"
    return None


@pytest.mark.skipif(_regeneration_possible() is not None, reason=str(_regeneration_possible()))
def test_regenerating_gives_the_shipped_records(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "demo.scenario", "--out", str(tmp_path), "--no-owners"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr

    # The launcher pins vcsim's instanceUuid (tests.support.vcsim.INSTANCE_UUID: vcsim's own
    # differs per machine) and the managed object ids are stable: the same records, by id (tag
    # and category ids are random UUIDs in vcsim: those by name).
    def keys(path: Path) -> set[tuple[str, str]]:
        return {
            (r.kind, getattr(r, "name", "") if r.kind in ("Tag", "TagCategory") else r.id)
            for r in iter_records(path)
        }

    fresh, shipped = keys(tmp_path / VCENTER_FILE), keys(DEMO / VCENTER_FILE)
    assert fresh == shipped
    # objectGUIDs differ per provisioned Samba template: compare the counts per kind.
    assert validate(tmp_path / AD_FILE).counts == validate(DEMO / AD_FILE).counts
    # The shipped ownership file names decisions of these very records.
    ids = {record_id for _, record_id in fresh}
    for entry in yaml.safe_load((DEMO / OWNERS_FILE).read_text())["decisions"]:
        assert entry["id"].split(":", 1)[1] in ids, entry["id"]
