"""A small vcsim inventory ingested through the CLI: the whole graph, asserted as sets.

Model: one datacenter, one cluster with one host and one VM, no standalone host, one
datastore, one distributed switch with its port groups (vcsim's defaults). Nodes are
(label, name) and relationships (label, name, type, label, name); privileges, of which vcsim
has hundreds, are checked by count against the roles that include them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import Neo4jInstance, run_cli
from tests.conftest import query as _query
from tests.support.vcsim import VcsimServer, ensure_vcsim_binary

LABEL = "[l IN labels({v}) WHERE NOT l IN ['Source', 'VSphereEntity']][0]"
NAME = "coalesce({v}.principal + '/' + toString({v}.is_group), {v}.name)"

EXPECTED_NODES = {
    ("VCenter", "VMware vCenter Server"),
    ("Folder", "Datacenters"),
    ("Datacenter", "DC0"),
    ("Folder", "vm"),
    ("Folder", "host"),
    ("Folder", "datastore"),
    ("Folder", "network"),
    ("Cluster", "DC0_C0"),
    ("Host", "DC0_C0_H0"),
    ("ResourcePool", "Resources"),
    ("VirtualMachine", "DC0_C0_RP0_VM0"),
    ("Datastore", "LocalDS_0"),
    ("VirtualSwitch", "DVS0"),
    ("Network", "DVS0-DVUplinks-8"),
    ("Network", "DC0_DVPG0"),
    ("Network", "VM Network"),
    ("Role", "NoTrustedAdmin"),
    ("Role", "TrustedAdmin"),
    ("Role", "NoCryptoAdmin"),
    ("Role", "NoAccess"),
    ("Role", "Anonymous"),
    ("Role", "View"),
    ("Role", "ReadOnly"),
    ("Role", "Admin"),
    ("Permission", "root/true"),
    ("Permission", "root/false"),
    ("Permission", "admin/false"),
    # vcsim's four built-in SPBM profiles (it reports no VM associations).
    ("StoragePolicy", "Host-local PMem Default Storage Policy"),
    ("StoragePolicy", "VVol No Requirements Policy"),
    ("StoragePolicy", "VM Encryption Policy"),
    ("StoragePolicy", "vSAN Default Storage Policy"),
    # vcsim's three predefined alarms, and its event retention (no mail, SNMP or syslog set).
    ("Alarm", "vcsim VM Alarm"),
    ("Alarm", "Host error"),
    ("Alarm", "Virtual machine error"),
    ("NotificationRoute", "event and task retention"),
}

EXPECTED_RELS = {
    ("Datacenter", "DC0", "IN_VCENTER", "VCenter", "VMware vCenter Server"),
    ("Datacenter", "DC0", "CHILD_OF", "Folder", "Datacenters"),
    ("Folder", "vm", "CHILD_OF", "Datacenter", "DC0"),
    ("Folder", "host", "CHILD_OF", "Datacenter", "DC0"),
    ("Folder", "datastore", "CHILD_OF", "Datacenter", "DC0"),
    ("Folder", "network", "CHILD_OF", "Datacenter", "DC0"),
    ("Cluster", "DC0_C0", "CHILD_OF", "Folder", "host"),
    ("Host", "DC0_C0_H0", "IN_CLUSTER", "Cluster", "DC0_C0"),
    ("ResourcePool", "Resources", "CHILD_OF", "Cluster", "DC0_C0"),
    ("ResourcePool", "Resources", "IN_CLUSTER", "Cluster", "DC0_C0"),
    ("VirtualMachine", "DC0_C0_RP0_VM0", "IN_FOLDER", "Folder", "vm"),
    ("VirtualMachine", "DC0_C0_RP0_VM0", "RUNS_ON", "Host", "DC0_C0_H0"),
    ("VirtualMachine", "DC0_C0_RP0_VM0", "IN_POOL", "ResourcePool", "Resources"),
    ("VirtualMachine", "DC0_C0_RP0_VM0", "USES_DATASTORE", "Datastore", "LocalDS_0"),
    ("VirtualMachine", "DC0_C0_RP0_VM0", "ATTACHED_TO", "Network", "DC0_DVPG0"),
    ("Datastore", "LocalDS_0", "CHILD_OF", "Folder", "datastore"),
    ("VirtualSwitch", "DVS0", "CHILD_OF", "Folder", "network"),
    ("Network", "DVS0-DVUplinks-8", "CHILD_OF", "Folder", "network"),
    ("Network", "DVS0-DVUplinks-8", "ON_SWITCH", "VirtualSwitch", "DVS0"),
    ("Network", "DC0_DVPG0", "CHILD_OF", "Folder", "network"),
    ("Network", "DC0_DVPG0", "ON_SWITCH", "VirtualSwitch", "DVS0"),
    ("Network", "VM Network", "CHILD_OF", "Folder", "network"),
    ("Permission", "root/true", "ON_ENTITY", "Folder", "Datacenters"),
    ("Permission", "root/true", "WITH_ROLE", "Role", "Admin"),
    ("Permission", "root/false", "ON_ENTITY", "Folder", "Datacenters"),
    ("Permission", "root/false", "WITH_ROLE", "Role", "Admin"),
    ("Permission", "admin/false", "ON_ENTITY", "Folder", "Datacenters"),
    ("Permission", "admin/false", "WITH_ROLE", "Role", "Admin"),
    ("Alarm", "vcsim VM Alarm", "DEFINED_ON", "Folder", "Datacenters"),
    ("Alarm", "Host error", "DEFINED_ON", "Folder", "Datacenters"),
    ("Alarm", "Virtual machine error", "DEFINED_ON", "Folder", "Datacenters"),
    (
        "NotificationRoute",
        "event and task retention",
        "FOR_VCENTER",
        "VCenter",
        "VMware vCenter Server",
    ),
}
# Derived by `authmap derive`: the permission-inheritance hierarchy (docs/permissions.md).
_PARENT = "PERMISSION_PARENT"
EXPECTED_RELS |= {
    ("Datacenter", "DC0", _PARENT, "Folder", "Datacenters"),
    ("Folder", "vm", _PARENT, "Datacenter", "DC0"),
    ("Folder", "host", _PARENT, "Datacenter", "DC0"),
    ("Folder", "datastore", _PARENT, "Datacenter", "DC0"),
    ("Folder", "network", _PARENT, "Datacenter", "DC0"),
    ("Cluster", "DC0_C0", _PARENT, "Folder", "host"),
    ("Host", "DC0_C0_H0", _PARENT, "Cluster", "DC0_C0"),
    ("ResourcePool", "Resources", _PARENT, "Cluster", "DC0_C0"),
    ("VirtualMachine", "DC0_C0_RP0_VM0", _PARENT, "Folder", "vm"),  # the folder chain
    ("VirtualMachine", "DC0_C0_RP0_VM0", _PARENT, "ResourcePool", "Resources"),  # the pool chain
    ("Datastore", "LocalDS_0", _PARENT, "Folder", "datastore"),
    ("VirtualSwitch", "DVS0", _PARENT, "Folder", "network"),
    ("Network", "DVS0-DVUplinks-8", _PARENT, "VirtualSwitch", "DVS0"),  # port groups: switch
    ("Network", "DC0_DVPG0", _PARENT, "VirtualSwitch", "DVS0"),
    ("Network", "VM Network", _PARENT, "Folder", "network"),  # a standard network: its folder
}


@pytest.fixture(scope="module")
def small_vcsim() -> Iterator[VcsimServer]:
    with VcsimServer(ensure_vcsim_binary(), cluster=1, host=1, vm=1, standalone_host=0) as sim:
        yield sim


def _graph(instance: Neo4jInstance) -> tuple[set[tuple[str, ...]], set[tuple[str, ...]]]:
    a_label, a_name = LABEL.format(v="a"), NAME.format(v="a")
    b_label, b_name = LABEL.format(v="b"), NAME.format(v="b")
    nodes = _query(
        instance,
        f"MATCH (a:Source) WHERE NOT a:Privilege RETURN {a_label} AS label, {a_name} AS name",
    )
    rels = _query(
        instance,
        f"MATCH (a:Source)-[r]->(b:Source) WHERE type(r) <> 'INCLUDES' "
        f"RETURN {a_label} AS al, {a_name} AS an, type(r) AS t, "
        f"{b_label} AS bl, {b_name} AS bn",
    )
    return (
        {(n["label"], n["name"]) for n in nodes},
        {(x["al"], x["an"], x["t"], x["bl"], x["bn"]) for x in rels},
    )


def test_small_inventory_graph_exactly(
    neo4j_instance: Neo4jInstance, graph: Any, small_vcsim: VcsimServer
) -> None:
    env = {**neo4j_instance.env, "VCSIM_PW": small_vcsim.password}
    proc = run_cli(
        "ingest",
        "vcenter",
        "--server",
        f"{small_vcsim.host}:{small_vcsim.port}",
        "--user",
        small_vcsim.username,
        "--password-env",
        "VCSIM_PW",
        "--insecure",
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    nodes, rels = _graph(neo4j_instance)
    assert nodes == EXPECTED_NODES
    assert rels == EXPECTED_RELS
    counts = _query(
        neo4j_instance,
        """
        MATCH (p:Privilege) WITH count(p) AS privileges
        OPTIONAL MATCH (:Role)-[:INCLUDES]->(q:Privilege)
        RETURN privileges, count(DISTINCT q) AS included""",
    )[0]
    assert counts["privileges"] == counts["included"] > 100
    hidden = _query(
        neo4j_instance,
        "MATCH (e:VSphereEntity {permission_holder: false}) RETURN e.name AS name",
    )
    # Objects that cannot carry permissions: the datacenter's root folders, the root pool.
    assert sorted(r["name"] for r in hidden) == [
        "Resources", "datastore", "host", "network", "vm",
    ]  # fmt: skip
    # A second ingest of the same estate changes nothing.
    assert (
        run_cli(
            "ingest",
            "vcenter",
            "--server",
            f"{small_vcsim.host}:{small_vcsim.port}",
            "--user",
            small_vcsim.username,
            "--password-env",
            "VCSIM_PW",
            "--insecure",
            env=env,
        ).returncode
        == 0
    )
    assert _graph(neo4j_instance) == (nodes, rels)


def test_vcenter_killed_mid_collection(
    neo4j_instance: Neo4jInstance, graph: Any, tmp_path: Any
) -> None:
    """vcsim answers every call after 700 ms and is killed during the collection: one clear
    error, no snapshot file, graph untouched."""
    import subprocess
    import sys
    import threading

    with VcsimServer(
        ensure_vcsim_binary(),
        cluster=1,
        host=1,
        vm=1,
        standalone_host=0,
        extra_args=("-delay", "700"),
    ) as sim:
        env = {**neo4j_instance.env, "VCSIM_PW": sim.password}
        out = tmp_path / "killed.jsonl"
        cmd = [
            sys.executable,
            "-m",
            "app",
            "collect",
            "vcenter",
            "--server",
            f"{sim.host}:{sim.port}",
            "--user",
            sim.username,
            "--password-env",
            "VCSIM_PW",
            "--insecure",
            "--out",
            str(out),
        ]
        killer = threading.Timer(4.0, sim.kill)
        killer.start()
        proc = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            env={**__import__("os").environ, **env},
            timeout=120,
        )
        killer.cancel()
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert "collection from 127.0.0.1 failed after" in proc.stderr, proc.stderr
    assert not out.exists() and not list(tmp_path.iterdir())
    assert _query(neo4j_instance, "MATCH (n:Source) RETURN count(n) AS n")[0]["n"] == 0
