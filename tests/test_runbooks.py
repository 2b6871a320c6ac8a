"""Runbooks: vocabulary detection (pure function), and ingest + runbook-rot against the real
graph with a vcsim estate to name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ingest.runbooks import front_matter, vsphere_terms
from tests.conftest import Neo4jInstance, run_cli
from tests.support.vcsim import VcsimServer, ensure_vcsim_binary


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Put the host in maintenance; DRS will vMotion the VMs", ["DRS", "vMotion"]),
        ("run `esxcli network ip interface list` on the ESXi host", ["ESXi", "esxcli"]),
        ("Get-VM sql-01 | Move-VM -Destination h2", ["PowerCLI"]),
        ("Connect-VIServer vc01", ["PowerCLI"]),
        ("attach the dvPortgroup of the VDS", ["dvPortgroup"]),
        ("restore [LocalDS_0] sql-01/sql-01.vmdk from backup", ["datastore path"]),
        ("Drain the node with kubectl and restart the VMI", []),
        ("redraw the address list", []),  # 'drs' only as a word
    ],
)
def test_vsphere_vocabulary(text: str, expected: list[str]) -> None:
    assert vsphere_terms(text) == sorted(expected)


def test_front_matter() -> None:
    assert front_matter("---\ntranslated: true\ntarget_platform: PVE\n---\n# x\n") == {
        "translated": True,
        "target_platform": "PVE",
    }
    assert front_matter("# no front matter\n---\n") == {}
    assert front_matter("---\n: [bad\n---\n") == {}


def test_runbook_rot_and_references(
    neo4j_instance: Neo4jInstance, graph: Any, tmp_path: Path
) -> None:
    books = tmp_path / "runbooks"
    (books / "network").mkdir(parents=True)
    (books / "failover.md").write_text(
        "# SQL failover\nIn vCenter put the host of cluster DC0_C0 in maintenance mode; DRS "
        "moves the VMs.\n"
    )
    (books / "network" / "vlan.txt").write_text(
        "Check that port group DC0_DVPG0 carries the database VLAN.\n"
    )
    (books / "translated.md").write_text(
        "---\ntranslated: true\ntarget_platform: Proxmox VE\n"
        "---\n# Failover\nFormerly done in vCenter; now ha-manager.\n"
    )
    (books / "clean.md").write_text("# Backups\nRun the backup job and check the report.\n")
    (books / ".hidden").mkdir()
    (books / ".hidden" / "ignored.md").write_text("vCenter")
    with VcsimServer(ensure_vcsim_binary(), cluster=1, host=1, vm=1, standalone_host=0) as sim:
        env = {**neo4j_instance.env, "VC_PW": sim.password}
        run_cli(
            "ingest",
            "vcenter",
            "--server",
            f"{sim.host}:{sim.port}",
            "--user",
            sim.username,
            "--password-env",
            "VC_PW",
            "--insecure",
            env=env,
            check=True,
        )
    proc = neo4j_instance.cli("ingest", "runbooks", str(books), "--name", "ops-wiki", check=True)
    assert "Collected 4 records" in proc.stdout
    audit = json.loads(
        neo4j_instance.cli("audit", "--only", "runbook-rot", "--format", "json").stdout
    )["audits"][0]
    assert (audit["count"], audit["total"]) == (2, 4)
    found = {f["path"]: f for f in audit["findings"]}
    assert set(found) == {"failover.md", "network/vlan.txt"}
    assert found["failover.md"]["vocabulary"] == ["DRS", "vCenter"]
    assert found["failover.md"]["names"] == ["DC0_C0"]
    assert found["network/vlan.txt"]["vocabulary"] == []
    assert found["network/vlan.txt"]["names"] == ["DC0_DVPG0"]
    # The fixed runbook is translated; the other is deleted: a complete run removes it.
    (books / "failover.md").write_text("---\ntranslated: true\n---\n# SQL failover\nvCenter\n")
    (books / "network" / "vlan.txt").unlink()
    neo4j_instance.cli("ingest", "runbooks", str(books), "--name", "ops-wiki", check=True)
    audit = json.loads(
        neo4j_instance.cli("audit", "--only", "runbook-rot", "--format", "json").stdout
    )["audits"][0]
    assert (audit["count"], audit["total"]) == (0, 3)
    missing = neo4j_instance.cli("ingest", "runbooks", str(tmp_path / "nope"))
    assert missing.returncode == 2 and "is not a directory" in missing.stderr
