"""The vCenter collector against vcsim, loaded into the real Neo4j through the CLI.

The scenario is built through the vSphere API (pyVmomi) on a generated vcsim inventory.
HA admission-control policy fields are dropped by vcsim (see shared notes): they are not
asserted here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pyVim.connect import Disconnect
from pyVmomi import vim

from tests.conftest import Neo4jInstance
from tests.conftest import query as _query
from tests.support import vsphere
from tests.support.vcsim import VcsimServer, ensure_vcsim_binary
from tests.support.vsphere import connect
from tests.support.vsphere import find as _find
from tests.support.vsphere import wait_for_task as WaitForTask


def _build_scenario(sim: VcsimServer) -> None:
    si = connect(sim)
    try:
        content = si.RetrieveContent()
        auth = content.authorizationManager
        roles = vsphere.add_roles(
            auth, {"VM-Operators": ["VirtualMachine.Interact.PowerOn", "System.View"]}
        )
        cluster = _find(content, vim.ClusterComputeResource, "DC0_C0")
        vsphere.set_permissions(
            auth,
            {"DC0": _find(content, vim.Datacenter, "DC0"), "DC0_C0": cluster},
            [
                ("CORP\\vSphere-Admins", True, "Admin", "DC0", True),
                ("CORP\\alice", False, "ReadOnly", "DC0", False),
                ("CORP\\vm-ops", True, "VM-Operators", "DC0_C0", True),
                ("CORP\\bob", False, "NoAccess", "DC0_C0", True),
            ],
            roles,
        )
        vm0 = _find(content, vim.VirtualMachine, "DC0_C0_RP0_VM0")
        vm1 = _find(content, vim.VirtualMachine, "DC0_C0_RP0_VM1")
        hosts = list(cluster.host)
        spec = vsphere.vm_pair_placement(
            (vm0, vm1),
            hosts[:1],
            vm_group="sql",
            host_group="rack-a",
            apart="sql-apart",
            vm_host_rule="sql-on-rack-a",
            affine=True,
            mandatory=True,
        )
        WaitForTask(cluster.ReconfigureComputeResource_Task(spec, True))
        pool_spec = vim.ResourceConfigSpec(
            cpuAllocation=vim.ResourceAllocationInfo(
                reservation=2000,
                limit=8000,
                expandableReservation=False,
                shares=vim.SharesInfo(level="high", shares=0),
            ),
            memoryAllocation=vim.ResourceAllocationInfo(
                reservation=4096,
                limit=-1,
                expandableReservation=True,
                shares=vim.SharesInfo(level="custom", shares=5000),
            ),
        )
        cluster.resourcePool.CreateResourcePool("gold", pool_spec)
        for host in hosts[:1]:  # vcsim refuses the same port group name on a second host
            host.configManager.networkSystem.AddPortGroup(
                portgrp=vim.host.PortGroup.Specification(
                    name="pg-std-30",
                    vlanId=30,
                    vswitchName="vSwitch0",
                    policy=vim.host.NetworkPolicy(),
                )
            )
        vsphere.add_dv_portgroup(content, "pg-db-120", 120)
        _tag(sim, vm0._moId)
    finally:
        Disconnect(si)


def _tag(sim: VcsimServer, vm_moref: str) -> None:
    """Category "Owner", tag "team-db" on the VM, through vcsim's vAPI (/rest)."""
    base = f"https://{sim.host}:{sim.port}/rest/com/vmware/cis"
    with httpx.Client(verify=False, timeout=30) as client:  # noqa: S501 - vcsim's certificate
        session = client.post(f"{base}/session", auth=(sim.username, sim.password)).json()
        headers = {"vmware-api-session-id": session["value"]}
        category = client.post(
            f"{base}/tagging/category",
            headers=headers,
            json={
                "create_spec": {
                    "name": "Owner",
                    "description": "who owns it",
                    "cardinality": "SINGLE",
                    "associable_types": [],
                }
            },
        ).json()["value"]
        tag = client.post(
            f"{base}/tagging/tag",
            headers=headers,
            json={"create_spec": {"name": "team-db", "description": "", "category_id": category}},
        ).json()["value"]
        attached = client.post(
            f"{base}/tagging/tag-association/id:{tag}?~action=attach",
            headers=headers,
            json={"object_id": {"id": vm_moref, "type": "VirtualMachine"}},
        )
        assert attached.status_code == 200, attached.text


@pytest.fixture(scope="module")
def vcsim() -> Iterator[VcsimServer]:
    with VcsimServer(ensure_vcsim_binary(), cluster=2, host=2, vm=2, pool=0) as sim:
        _build_scenario(sim)
        yield sim


def _ingest(instance: Neo4jInstance, sim: VcsimServer, *extra: str) -> Any:
    env = {**instance.env, "VCSIM_PW": sim.password}
    os.environ.update({})
    from tests.conftest import run_cli

    return run_cli(
        "ingest",
        "vcenter",
        "--server",
        f"{sim.host}:{sim.port}",
        "--user",
        sim.username,
        "--password-env",
        "VCSIM_PW",
        *extra,
        env=env,
    )


def test_vcenter_scenario_lands_in_the_graph(
    neo4j_instance: Neo4jInstance, graph: Any, vcsim: VcsimServer
) -> None:
    proc = _ingest(neo4j_instance, vcsim, "--insecure")
    assert proc.returncode == 0, proc.stderr
    assert "complete" in proc.stdout
    perms = _query(
        neo4j_instance,
        """
        MATCH (p:Permission)-[:ON_ENTITY]->(e), (p)-[:WITH_ROLE]->(r:Role)
        RETURN p.principal AS principal, p.is_group AS grp, r.name AS role, e.name AS entity,
               p.propagate AS propagate""",
    )
    got = {(p["principal"], p["grp"], p["role"], p["entity"], p["propagate"]) for p in perms}
    assert {
        ("CORP\\vSphere-Admins", True, "Admin", "DC0", True),
        ("CORP\\alice", False, "ReadOnly", "DC0", False),
        ("CORP\\vm-ops", True, "VM-Operators", "DC0_C0", True),
        ("CORP\\bob", False, "NoAccess", "DC0_C0", True),
    } <= got
    role = _query(
        neo4j_instance,
        """
        MATCH (r:Role {name: 'VM-Operators'})-[:INCLUDES]->(p:Privilege)
        RETURN r.system AS system, collect(p.privilege_id) AS privs""",
    )[0]
    assert role["system"] is False
    # vCenter (and vcsim) add the System.Anonymous/Read/View privileges to every role.
    assert sorted(role["privs"]) == [
        "System.Anonymous",
        "System.Read",
        "System.View",
        "VirtualMachine.Interact.PowerOn",
    ]
    rules = _query(
        neo4j_instance,
        """
        MATCH (r:DrsRule)-[:IN_CLUSTER]->(c:Cluster {name: 'DC0_C0'})
        OPTIONAL MATCH (r)-[:APPLIES_TO]->(vm:VirtualMachine)
        OPTIONAL MATCH (r)-[:USES_VM_GROUP]->(vg:ClusterGroup)
        OPTIONAL MATCH (r)-[:AFFINE_TO]->(hg:ClusterGroup)-[:CONTAINS]->(h:Host)
        RETURN r.name AS name, r.rule_type AS type, r.mandatory AS must, r.enabled AS enabled,
               collect(DISTINCT vm.name) AS vms, vg.name AS vm_group, hg.name AS host_group,
               count(DISTINCT h) AS hosts""",
    )
    by_name = {r["name"]: r for r in rules}
    assert by_name["sql-apart"]["type"] == "vm_anti_affinity"
    assert sorted(by_name["sql-apart"]["vms"]) == ["DC0_C0_RP0_VM0", "DC0_C0_RP0_VM1"]
    assert not by_name["sql-apart"]["must"]
    assert by_name["sql-on-rack-a"]["type"] == "vm_host" and by_name["sql-on-rack-a"]["must"]
    assert by_name["sql-on-rack-a"]["vm_group"] == "sql"
    assert (
        by_name["sql-on-rack-a"]["host_group"] == "rack-a"
        and by_name["sql-on-rack-a"]["hosts"] == 1
    )
    overrides = _query(
        neo4j_instance,
        """
        MATCH (o:VmOverride)-[:OVERRIDES]->(vm:VirtualMachine)
        RETURN o.override_type AS type, vm.name AS vm, o.drs_automation_level AS drs,
               o.ha_restart_priority AS restart""",
    )
    assert {(o["type"], o["vm"], o["drs"], o["restart"]) for o in overrides} == {
        ("drs", "DC0_C0_RP0_VM0", "manual", None),
        ("ha", "DC0_C0_RP0_VM1", None, "high"),
    }
    pool = _query(
        neo4j_instance,
        """
        MATCH (p:ResourcePool {name: 'gold'})-[:CHILD_OF]->(:ResourcePool)
        RETURN p.cpu_reservation AS cr, p.cpu_limit AS cl, p.cpu_shares_level AS cs,
               p.mem_reservation AS mr, p.mem_shares AS ms, p.mem_shares_level AS msl""",
    )
    assert pool == [{"cr": 2000, "cl": 8000, "cs": "high", "mr": 4096, "ms": 5000, "msl": "custom"}]
    pg = _query(
        neo4j_instance,
        """
        MATCH (n:Network {name: 'pg-db-120'})-[:ON_SWITCH]->(s:VirtualSwitch)
        RETURN n.vlan_id AS vlan, n.network_type AS type, s.name AS switch""",
    )
    assert pg == [{"vlan": 120, "type": "distributed", "switch": "DVS0"}]
    std = _query(
        neo4j_instance,
        "MATCH (n:Network {name: 'pg-std-30'}) RETURN n.vlan_id AS vlan, n.network_type AS type",
    )
    assert std == [{"vlan": 30, "type": "standard"}]
    tags = _query(
        neo4j_instance,
        """
        MATCH (c:TagCategory)<-[:IN_CATEGORY]-(t:Tag)-[:TAGS]->(e:VSphereEntity)
        RETURN c.name AS category, c.cardinality AS card, t.name AS tag, e.name AS entity""",
    )
    assert tags == [
        {"category": "Owner", "card": "SINGLE", "tag": "team-db", "entity": "DC0_C0_RP0_VM0"}
    ]
    policies = _query(neo4j_instance, "MATCH (p:StoragePolicy) RETURN count(p) AS n")
    assert policies == [{"n": 4}]  # vcsim's built-in profiles
    placed = _query(
        neo4j_instance,
        """
        MATCH (vm:VirtualMachine {name: 'DC0_C0_RP0_VM0'})-[:RUNS_ON]->(h:Host)
        MATCH (h)-[:IN_CLUSTER]->(c:Cluster)
        MATCH (vm)-[:USES_DATASTORE]->(ds:Datastore), (vm)-[:IN_FOLDER]->(f:Folder)
        RETURN c.name AS cluster, ds.name AS ds, f.name AS folder,
               vm.instance_uuid IS NOT NULL AS uuid""",
    )
    assert placed == [{"cluster": "DC0_C0", "ds": "LocalDS_0", "folder": "vm", "uuid": True}]


def test_reingest_is_idempotent_and_removes_deleted(
    neo4j_instance: Neo4jInstance, graph: Any, vcsim: VcsimServer
) -> None:
    assert _ingest(neo4j_instance, vcsim, "--insecure").returncode == 0
    count = "MATCH (n:Source) RETURN count(n) AS n"
    rels = "MATCH (:Source)-[r]->() RETURN count(r) AS n"
    before = (_query(neo4j_instance, count)[0]["n"], _query(neo4j_instance, rels)[0]["n"])
    assert _ingest(neo4j_instance, vcsim, "--insecure").returncode == 0
    assert (_query(neo4j_instance, count)[0]["n"], _query(neo4j_instance, rels)[0]["n"]) == before
    si = connect(vcsim)
    try:
        vm = _find(si.RetrieveContent(), vim.VirtualMachine, "DC0_C1_RP0_VM1")
        WaitForTask(vm.PowerOffVM_Task())
        WaitForTask(vm.Destroy_Task())
    finally:
        Disconnect(si)
    assert _ingest(neo4j_instance, vcsim, "--insecure").returncode == 0
    assert (
        _query(neo4j_instance, "MATCH (v:VirtualMachine {name: 'DC0_C1_RP0_VM1'}) RETURN v") == []
    )
    assert _query(neo4j_instance, count)[0]["n"] == before[0] - 1


def test_connection_failures_are_one_clear_line(
    neo4j_instance: Neo4jInstance, graph: Any, vcsim: VcsimServer
) -> None:
    tls = _ingest(neo4j_instance, vcsim)
    assert tls.returncode == 2 and "TLS verification" in tls.stderr and "--insecure" in tls.stderr
    env = {**neo4j_instance.env, "VCSIM_PW": "wrong-password-123"}
    from tests.conftest import free_port, run_cli

    bad = run_cli(
        "ingest",
        "vcenter",
        "--server",
        f"{vcsim.host}:{vcsim.port}",
        "--user",
        vcsim.username,
        "--password-env",
        "VCSIM_PW",
        "--insecure",
        env=env,
    )
    assert bad.returncode == 2 and "rejected the credentials" in bad.stderr
    assert "wrong-password-123" not in bad.stderr + bad.stdout
    down = run_cli(
        "ingest",
        "vcenter",
        "--server",
        f"127.0.0.1:{free_port()}",
        "--user",
        "u",
        "--password-env",
        "VCSIM_PW",
        "--insecure",
        env=env,
    )
    assert down.returncode == 2 and "cannot reach vCenter" in down.stderr
    for proc in (tls, bad, down):
        assert "Traceback" not in proc.stderr
    assert _query(neo4j_instance, "MATCH (n:Source) RETURN count(n) AS n")[0]["n"] == 0
