"""Storage-allocation decisions. vcsim reports no VM-to-policy associations, so this estate is
a snapshot of the shape the SPBM collector writes from recorded PbmQueryAssociatedProfiles
answers (see tests/test_vcenter_spbm_tags.py), loaded with `authmap load`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.records import vcenter as r
from app.records.contract import SourceIdentity
from app.snapshot import SnapshotWriter
from tests.conftest import Neo4jInstance

VC = "cccccccc-0000-0000-0000-000000000003"


def test_storage_policy_in_use_becomes_a_decision(
    neo4j_instance: Neo4jInstance, graph: Any, tmp_path: Path
) -> None:
    path = tmp_path / "spbm.jsonl"
    gold = f"{VC}:spbm:gold-id"
    with SnapshotWriter(path, SourceIdentity(kind="vcenter", id=VC)) as out:
        out.write(r.VCenter(id=VC, name="vc03", instance_uuid=VC))
        for n in (1, 2, 3):
            out.write(r.VirtualMachine(id=f"{VC}:vm-{n}", moref=f"vm-{n}", name=f"db-0{n}"))
        out.write(
            r.StoragePolicy(
                id=gold, profile_id="gold-id", name="Gold", rules=["VSAN.hostFailuresToTolerate=2"]
            )
        )
        out.write(r.StoragePolicy(id=f"{VC}:spbm:unused", profile_id="unused", name="Unused"))
        for n in (1, 2):
            out.write(
                r.StoragePolicyAssociation(
                    id=f"{VC}:vm-{n}:spbm:home",
                    object_type="vm_home",
                    vm=f"{VC}:vm-{n}",
                    policy=gold,
                )
            )
            out.write(
                r.StoragePolicyAssociation(
                    id=f"{VC}:vm-{n}:spbm:disk:2000",
                    object_type="disk",
                    disk_key=2000,
                    vm=f"{VC}:vm-{n}",
                    policy=gold,
                )
            )
    neo4j_instance.cli("load", str(path), check=True)
    found = json.loads(
        neo4j_instance.cli(
            "decisions", "list", "--category", "storage_allocation", "--format", "json", check=True
        ).stdout
    )
    assert len(found) == 1  # the unused policy decides nothing
    decision = found[0]
    assert decision["summary"] == "Storage policy Gold governs 4 VM home(s) and disk(s) of 2 VMs"
    assert decision["affects"] == ["db-01", "db-02"]
    assert [e["name"] for e in decision["evidence"]] == ["Gold"]
