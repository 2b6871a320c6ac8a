"""The AFFECTS links of alarm decisions, written a few decisions per transaction: exact after
each derive, kept (not recreated) when nothing changed, fixed when a VM leaves a scope."""

from __future__ import annotations

from pathlib import Path

from app.derive import run_derive
from app.graph import Graph
from app.graph.loader import load_snapshot
from app.records import vcenter as r
from app.records.contract import SourceIdentity
from app.snapshot import SnapshotWriter
from tests.conftest import Neo4jInstance, query

VC = "eeeeeeee-0000-0000-0000-00000000a1a1"
ALARMS_ON_ROOT = 12  # more than one transaction's worth (5 decisions each)


def _id(moref: str) -> str:
    return f"{VC}:{moref}"


def _snapshot(path: Path, hosts_of_vms: dict[str, str]) -> Path:
    """Two clusters of two hosts, VMs on the given hosts, an alarm on cluster C1 and
    ``ALARMS_ON_ROOT`` alarms on the root folder."""
    with SnapshotWriter(path, SourceIdentity(kind="vcenter", id=VC)) as out:
        out.write(r.VCenter(id=VC, name="vc-links", instance_uuid=VC))
        out.write(r.Folder(id=_id("group-d1"), moref="group-d1", name="Datacenters"))
        out.write(
            r.Datacenter(
                id=_id("datacenter-1"), moref="datacenter-1", name="DC", vcenter=VC,
                parent=_id("group-d1"),
            )
        )  # fmt: skip
        out.write(
            r.Folder(id=_id("group-v1"), moref="group-v1", name="vm", parent=_id("datacenter-1"))
        )
        for c in ("1", "2"):
            out.write(
                r.Cluster(
                    id=_id(f"domain-c{c}"), moref=f"domain-c{c}", name=f"C{c}",
                    parent=_id("datacenter-1"),
                )
            )  # fmt: skip
            for h in ("a", "b"):
                out.write(
                    r.Host(
                        id=_id(f"host-{c}{h}"), moref=f"host-{c}{h}", name=f"esx-{c}{h}",
                        cluster=_id(f"domain-c{c}"),
                    )
                )  # fmt: skip
        for vm, host in sorted(hosts_of_vms.items()):
            out.write(
                r.VirtualMachine(
                    id=_id(vm), moref=vm, name=vm, folder=_id("group-v1"), host=_id(host)
                )
            )
        alarms = [("alarm-c1", "domain-c1")]
        alarms += [(f"alarm-root{i}", "group-d1") for i in range(ALARMS_ON_ROOT)]
        for moref, entity in alarms:
            out.write(
                r.Alarm(
                    id=_id(moref), moref=moref, name=moref, entity=_id(entity),
                    watches=["VirtualMachine"], trigger_texts=["VirtualMachine event X: red"],
                )
            )  # fmt: skip
    return path


def _links(instance: Neo4jInstance) -> dict[str, dict[str, str]]:
    """For each alarm decision: ``{vm name: AFFECTS element id}``."""
    rows = query(
        instance,
        "MATCH (d:Decision {kind: 'alarm'}) "
        "OPTIONAL MATCH (d)-[l:AFFECTS]->(vm) "
        "RETURN d.id AS decision, collect([vm.name, elementId(l)]) AS links",
    )
    return {row["decision"]: {vm: rel for vm, rel in row["links"] if vm} for row in rows}


def test_alarm_links_are_exact_kept_and_repaired(
    graph: Graph, neo4j_instance: Neo4jInstance, tmp_path: Path
) -> None:
    placement = {f"vm-{i}": host for i, host in enumerate(["host-1a", "host-1b", "host-2a"] * 3)}
    load_snapshot(graph, _snapshot(tmp_path / "one.jsonl", placement))
    run_derive(graph)
    first = _links(neo4j_instance)
    on_c1 = {vm for vm, host in placement.items() if host.startswith("host-1")}
    assert len(first) == ALARMS_ON_ROOT + 1
    assert set(first[f"alarm:{_id('alarm-c1')}"]) == on_c1
    for i in range(ALARMS_ON_ROOT):
        assert set(first[f"alarm:{_id(f'alarm-root{i}')}"]) == set(placement)

    run_derive(graph)  # nothing changed: the very same links stay
    assert _links(neo4j_instance) == first

    moved = {**placement, "vm-0": "host-2b"}  # vm-0 leaves cluster C1
    del moved["vm-8"]  # vm-8 is removed
    moved["vm-new"] = "host-1a"  # and a VM arrives in C1
    load_snapshot(graph, _snapshot(tmp_path / "two.jsonl", moved))
    run_derive(graph)
    after = _links(neo4j_instance)
    c1 = f"alarm:{_id('alarm-c1')}"
    assert set(after[c1]) == (on_c1 - {"vm-0"}) | {"vm-new"}
    kept = set(first[c1]) & set(after[c1])
    assert {vm: after[c1][vm] for vm in kept} == {vm: first[c1][vm] for vm in kept}
    for i in range(ALARMS_ON_ROOT):
        assert set(after[f"alarm:{_id(f'alarm-root{i}')}"]) == set(moved)
    duplicates = query(
        neo4j_instance,
        "MATCH (d:Decision)-[l:AFFECTS]->(vm) WITH d, vm, count(l) AS n WHERE n > 1 "
        "RETURN count(*) AS pairs",
    )
    assert duplicates == [{"pairs": 0}]
