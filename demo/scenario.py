"""Regenerate the demo estate of ``make demo`` from a scripted vcsim + Samba AD scenario.

    .venv/bin/python -m demo.scenario --out demo/

Starts vcsim (the project's launcher, ``tests/support/vcsim.py``) and a Samba AD domain
controller on 127.0.0.30 (``tests/support/samba_ad.py``; needs root for the loopback alias),
builds a realistic estate through the real vSphere, vAPI and LDAP APIs, and collects it with
authmap's own collectors (the functions behind ``authmap collect vcenter`` and ``authmap
collect ad``) into ``vcenter.jsonl.gz`` and ``ad.jsonl.gz``. Then, unless ``--no-owners``, it
loads both into a temporary Neo4j, derives the decisions and writes ``owners.yaml`` (two teams,
some decisions assigned, accepted, enforced and verified) whose decision ids match the
snapshots. ``docs/demo.md`` describes what the estate holds.

What vcsim cannot do and how the scenario copes:

* HA policy details (admission-control policy, isolation response, restart priority defaults)
  are dropped by vcsim: only ``enabled`` and ``admissionControlEnabled`` are set. Per-VM HA and
  DRS overrides are stored and collected.
* ``PbmQueryAssociatedProfiles`` always answers nothing in vcsim. As
  ``tests/test_storage_decisions.py`` does with a recorded snapshot, the scenario answers
  that one call with recorded-style ``QueryProfileResult`` objects for the demo VMs
  (:func:`recorded_spbm_associations`); the rest of the SPBM collector (profiles, disk keys,
  mapping) runs unchanged against vcsim.
* vcsim cannot rename hosts or datastores, so they keep vcsim's names (``DC0_C0_H0``,
  ``LocalDS_0``); the datacenter and clusters are renamed.

vcsim's instanceUuid (and so every vCenter record id and decision id) and its managed object
ids are the same on every run, so the ids in the shipped files are stable. Samba's SIDs are
stable too (fixed domain SID and creation order); objectGUIDs differ per provisioned template.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from pyVim.connect import Disconnect
from pyVmomi import pbm, vim

from tests.support.samba_ad import (
    DirectorySpec,
    SambaDC,
    add_accounts,
    directory_template,
    ldaps_admin,
)
from tests.support.vcsim import VcsimServer, ensure_vcsim_binary
from tests.support.vsphere import add_roles, connect, find, set_permissions, wait_for_task

if TYPE_CHECKING:
    from app.sync import CollectSummary

DEMO_DIR = Path(__file__).resolve().parent
AD_ADDRESS = "127.0.0.30"
VCENTER_FILE = "vcenter.jsonl.gz"
AD_FILE = "ad.jsonl.gz"
OWNERS_FILE = "owners.yaml"
RUNBOOK_SOURCE = "demo-runbooks"
"""The stable name the demo's runbooks are ingested under (``--name``)."""

DIRECTORY = DirectorySpec(
    users=10, groups=2, nesting_depth=2, big_group_members=0, computers=2, disabled_every=10
)
"""The small stock population of the Samba template; the demo's people are added over LDAPS."""

DATACENTER = "HQ"
CLUSTERS = {"DC0_C0": "Prod-A", "DC0_C1": "Prod-B", "DC0_C2": "Dev-A"}
STANDALONE = "DC0_H0"
FOLDERS = [("Prod", None), ("Web", "Prod"), ("DB", "Prod"), ("Dev", None), ("Infra", None)]


@dataclass(frozen=True)
class Pool:
    """A resource pool: MHz and MB (-1 = unlimited); shares a level name."""

    name: str
    cluster: str
    cpu_reservation: int = 0
    cpu_limit: int = -1
    mem_reservation: int = 0
    mem_limit: int = -1
    shares: str = "normal"
    expandable: bool = True


POOLS = [
    Pool("Prod-Gold", "Prod-A", 8000, -1, 16384, -1, "high", False),
    Pool("Prod-Silver", "Prod-A", 0, 12000, 0, 32768, "normal"),
    Pool("DB-Reserved", "Prod-B", 6000, -1, 65536, -1, "high", False),
    Pool("Dev-Capped", "Dev-A", 0, 4000, 0, 8192, "low"),
]


@dataclass(frozen=True)
class Vm:
    """A demo VM: its folder path, cluster (or the standalone host), pool and port group."""

    name: str
    folder: str
    cluster: str
    pool: str | None
    network: str
    cpus: int = 2
    memory_mb: int = 4096


VMS = [
    *(Vm(f"web-0{i}", "Prod/Web", "Prod-A", "Prod-Gold", "pg-web-110") for i in range(1, 5)),
    *(Vm(f"app-0{i}", "Prod/Web", "Prod-A", "Prod-Silver", "pg-app-120") for i in range(1, 4)),
    Vm("lb-01", "Prod/Web", "Prod-A", None, "pg-web-110", 2, 2048),
    Vm("lb-02", "Prod/Web", "Prod-A", None, "pg-web-110", 2, 2048),
    *(Vm(f"sql-0{i}", "Prod/DB", "Prod-B", "DB-Reserved", "pg-db-130", 8, 32768) for i in (1, 2)),
    *(Vm(f"sql-0{i}", "Prod/DB", "Prod-B", "DB-Reserved", "pg-db-130", 4, 16384) for i in (3, 4)),
    Vm("pg-01", "Prod/DB", "Prod-B", None, "pg-db-130", 4, 8192),
    Vm("pg-02", "Prod/DB", "Prod-B", None, "pg-db-130", 4, 8192),
    Vm("redis-01", "Prod/DB", "Prod-B", None, "pg-app-120"),
    Vm("redis-02", "Prod/DB", "Prod-B", None, "pg-app-120"),
    Vm("etl-01", "Prod/DB", "Prod-B", None, "pg-db-130"),
    *(Vm(f"dev-web-0{i}", "Dev", "Dev-A", "Dev-Capped", "pg-dev-200") for i in (1, 2, 3)),
    Vm("dev-sql-01", "Dev", "Dev-A", "Dev-Capped", "pg-dev-200"),
    *(Vm(f"ci-runner-0{i}", "Dev", "Dev-A", None, "pg-dev-200") for i in (1, 2, 3)),
    Vm("sandbox-01", "Dev", "Dev-A", None, "pg-dev-200", 1, 1024),
    Vm("backup-01", "Infra", STANDALONE, None, "pg-mgmt-10", 4, 8192),
    Vm("dns-01", "Infra", STANDALONE, None, "pg-mgmt-10", 1, 2048),
    Vm("jump-01", "Infra", STANDALONE, None, "pg-mgmt-10", 2, 4096),
]

VM_ALLOCATIONS = {  # VM -> (cpu reservation MHz, memory reservation MB, shares level)
    "sql-01": (4000, 32768, "high"),
    "sql-02": (4000, 32768, "high"),
    "lb-01": (1000, 0, "high"),
    "sandbox-01": (0, 0, "low"),
}

PORT_GROUPS = {"pg-web-110": 110, "pg-app-120": 120, "pg-db-130": 130, "pg-dev-200": 200}
STANDARD_PORT_GROUP = ("pg-mgmt-10", 10)  # on the standalone host's vSwitch0
RENAMED_PORT_GROUP = ("DC0_DVPG0", "pg-legacy-dmz")

ROLES = {
    "VM-Operator": [
        "System.Anonymous", "System.View", "System.Read",
        "VirtualMachine.Interact.PowerOn", "VirtualMachine.Interact.PowerOff",
        "VirtualMachine.Interact.Reset", "VirtualMachine.Interact.ConsoleInteract",
        "VirtualMachine.State.CreateSnapshot", "VirtualMachine.State.RevertToSnapshot",
    ],
    "DB-Admin": [
        "System.Anonymous", "System.View", "System.Read",
        "VirtualMachine.Interact.PowerOn", "VirtualMachine.Interact.PowerOff",
        "VirtualMachine.Config.CPUCount", "VirtualMachine.Config.Memory",
        "VirtualMachine.Config.AddNewDisk", "VirtualMachine.Config.DiskExtend",
        "VirtualMachine.State.CreateSnapshot", "VirtualMachine.State.RemoveSnapshot",
        "Datastore.Browse", "Resource.AssignVMToPool",
    ],
    "Network-Admin": [
        "System.Anonymous", "System.View", "System.Read",
        "Network.Assign", "Network.Config", "DVPortgroup.Create", "DVPortgroup.Modify",
        "DVPortgroup.Delete", "DVSwitch.Modify", "DVSwitch.PortConfig",
    ],
    "Backup-Operator": [
        "System.Anonymous", "System.View", "System.Read",
        "VirtualMachine.State.CreateSnapshot", "VirtualMachine.State.RemoveSnapshot",
        "VirtualMachine.Provisioning.DiskRandomRead", "Datastore.Browse",
        "Datastore.FileManagement",
    ],
    "Access-Delegate": [
        "System.Anonymous", "System.View", "System.Read",
        "Authorization.ModifyPermissions", "Authorization.ReassignRolePermissions",
    ],
}  # fmt: skip

ROOT, DC = "@root", "@datacenter"
PERMISSIONS = [  # (principal, is_group, role, entity, propagate)
    ("VSPHERE.LOCAL\\Administrators", True, "Admin", ROOT, True),
    ("CORP\\vSphere-Admins", True, "Admin", DC, True),
    ("CORP\\IT-Staff", True, "ReadOnly", DC, True),
    ("CORP\\Web-Ops", True, "VM-Operator", "Web", True),
    ("CORP\\DBA-Team", True, "DB-Admin", "DB", True),
    ("CORP\\DBA-Team", True, "VM-Operator", "Prod-B", True),
    ("CORP\\Developers", True, "NoAccess", "Prod", True),
    ("CORP\\Developers", True, "VM-Operator", "Dev", True),
    ("CORP\\Old-Contractors", True, "VM-Operator", "Dev", True),  # the group is deleted below
    ("CORP\\Network-Team", True, "Network-Admin", "DVS0", True),
    ("CORP\\Backup-Operators", True, "Backup-Operator", DC, True),
    ("CORP\\Security-Team", True, "Access-Delegate", DC, False),
    ("CORP\\dave", False, "Admin", "Prod-A", False),  # a forgotten personal grant
]

PEOPLE = {  # sAMAccountName -> display name
    "alice": "Alice Martin", "bob": "Bob Keller", "erin": "Erin Novak",
    "carol": "Carol Diaz", "dan": "Dan Okafor", "trent": "Trent Hale",
    "frank": "Frank Lindqvist", "grace": "Grace Ito", "heidi": "Heidi Brandt",
    "ivan": "Ivan Sokolov", "judy": "Judy Chen", "mallory": "Mallory Reyes",
    "niaj": "Niaj Patel", "oscar": "Oscar Dubois", "peggy": "Peggy Moreau",
    "dave": "Dave Russo", "victor": "Victor Lang", "svc-backup": "Backup service account",
}  # fmt: skip
DISABLED_PEOPLE = {"trent"}  # left the company; still in DBA-Team
GROUPS = {  # group -> members (people or groups), created in this order
    "Platform-Team": ["alice", "bob"],
    "Tier0-Breakglass": ["erin"],
    "vSphere-Admins": ["Platform-Team", "Tier0-Breakglass"],
    "DBA-Team": ["carol", "dan", "trent"],
    "Network-Team": ["frank"],
    "App-Support": ["ivan"],
    "Web-Ops": ["grace", "heidi", "App-Support"],
    "Developers": ["judy", "mallory", "niaj"],
    "Helpdesk": ["oscar", "peggy"],
    "Security-Team": ["victor"],
    "Backup-Operators": ["svc-backup"],
    "IT-Staff": ["Platform-Team", "DBA-Team", "Network-Team", "Web-Ops", "Developers", "Helpdesk"],
    "Old-Contractors": ["mallory"],
}  # fmt: skip
DELETED_GROUPS = ["Old-Contractors"]  # granted in vCenter, then deleted from AD

DRS_RULES = {  # cluster -> [(kind, name, vms, mandatory, enabled)]
    "Prod-A": [
        ("anti", "web-apart", ["web-01", "web-02", "web-03", "web-04"], False, True),
        ("affinity", "app-cache-together", ["app-01", "app-02"], False, True),
        ("anti", "lb-apart", ["lb-01", "lb-02"], True, True),
    ],
    "Prod-B": [
        ("anti", "sql-ag-apart", ["sql-01", "sql-02"], True, True),
        ("anti", "redis-apart", ["redis-01", "redis-02"], False, True),
    ],
    "Dev-A": [("affinity", "ci-runners-together", ["ci-runner-01", "ci-runner-02"], False, False)],
}
VM_HOST_RULES = {  # cluster -> [(rule, vm group, vms, host group, host indexes, mandatory)]
    "Prod-A": [("web-on-rack-a", "web-vms", ["web-01", "web-02"], "rack-a", [0, 1], False)],
    "Prod-B": [
        (
            "sql-licensing",
            "sql-vms",
            ["sql-01", "sql-02", "sql-03", "sql-04"],
            "sql-licensed-hosts",
            [0, 1],
            True,
        )
    ],
}
DRS_OVERRIDES = {"sql-01": "manual", "sql-02": "manual", "lb-01": "partiallyAutomated"}
HA_OVERRIDES = {"sql-01": "highest", "sql-02": "highest", "lb-01": "high", "etl-01": "low"}
HA_CLUSTERS = {"Prod-A": True, "Prod-B": True, "Dev-A": False}
DRS_BEHAVIOUR = {"Prod-A": "fullyAutomated", "Prod-B": "partiallyAutomated", "Dev-A": "manual"}

TAGS = {  # category -> {tag -> VMs}
    "Owner": {
        "team-web": ["web-01", "web-02", "web-03", "web-04", "lb-01", "lb-02"],
        "team-dba": ["sql-01", "sql-02", "sql-03", "sql-04", "pg-01", "pg-02"],
    },
    "Tier": {"tier-1": ["sql-01", "sql-02", "lb-01", "lb-02"], "tier-3": ["sandbox-01"]},
}
STORAGE_POLICIES = {  # VM -> SPBM profile name (vcsim's built-in profiles)
    **{f"sql-0{i}": "VM Encryption Policy" for i in (1, 2, 3, 4)},
    **{f"web-0{i}": "vSAN Default Storage Policy" for i in (1, 2, 3, 4)},
    "pg-01": "vSAN Default Storage Policy",
    "pg-02": "vSAN Default Storage Policy",
}


# -- vCenter -------------------------------------------------------------------------------------
def _allocation(reservation: int, limit: int, level: str, expandable: bool) -> Any:
    return vim.ResourceAllocationInfo(
        reservation=reservation,
        limit=limit,
        expandableReservation=expandable,
        shares=vim.SharesInfo(level=level, shares=0),
    )


def _vm_spec(vm: Vm, dvs: Any, port_groups: dict[str, Any]) -> Any:
    """A VM config with one NIC on its port group (distributed, or the standard one)."""
    network = port_groups[vm.network]
    if isinstance(network, vim.dvs.DistributedVirtualPortgroup):
        backing: Any = vim.vm.device.VirtualEthernetCard.DistributedVirtualPortBackingInfo(
            port=vim.dvs.PortConnection(switchUuid=dvs.uuid, portgroupKey=network.key)
        )
    else:
        backing = vim.vm.device.VirtualEthernetCard.NetworkBackingInfo(deviceName=vm.network)
    nic = vim.vm.device.VirtualDeviceSpec(
        operation="add", device=vim.vm.device.VirtualVmxnet3(key=-1, backing=backing)
    )
    return vim.vm.ConfigSpec(
        name=vm.name,
        guestId="otherLinux64Guest",
        numCPUs=vm.cpus,
        memoryMB=vm.memory_mb,
        files=vim.vm.FileInfo(vmPathName="[LocalDS_0]"),
        deviceChange=[nic],
    )


def build_vcenter(si: Any) -> dict[str, str]:
    """Build the demo estate in a stock vcsim inventory; return VM name -> managed object id."""
    content = si.RetrieveContent()
    auth = content.authorizationManager
    dc = find(content, vim.Datacenter, "DC0")
    wait_for_task(dc.Rename_Task(DATACENTER))
    objects: dict[str, Any] = {ROOT: content.rootFolder, DC: dc}
    clusters: dict[str, Any] = {}
    for old, new in CLUSTERS.items():
        cluster = find(content, vim.ClusterComputeResource, old)
        wait_for_task(cluster.Rename_Task(new))
        clusters[new] = objects[new] = cluster
    standalone = find(content, vim.ComputeResource, STANDALONE)
    for name, parent in FOLDERS:
        objects[name] = (objects[parent] if parent else dc.vmFolder).CreateFolder(name)
    for pool in POOLS:
        spec = vim.ResourceConfigSpec(
            cpuAllocation=_allocation(
                pool.cpu_reservation, pool.cpu_limit, pool.shares, pool.expandable
            ),
            memoryAllocation=_allocation(
                pool.mem_reservation, pool.mem_limit, pool.shares, pool.expandable
            ),
        )
        objects[pool.name] = clusters[pool.cluster].resourcePool.CreateResourcePool(pool.name, spec)

    # Networking: distributed port groups with VLANs, a standard one on the standalone host.
    dvs = find(content, vim.DistributedVirtualSwitch, "DVS0")
    objects["DVS0"] = dvs
    old, new = RENAMED_PORT_GROUP
    wait_for_task(find(content, vim.dvs.DistributedVirtualPortgroup, old).Rename_Task(new))
    specs = []
    for name, vlan_id in PORT_GROUPS.items():
        vlan = vim.dvs.VmwareDistributedVirtualSwitch.VlanIdSpec(vlanId=vlan_id, inherited=False)
        port = vim.dvs.VmwareDistributedVirtualSwitch.VmwarePortConfigPolicy(vlan=vlan)
        specs.append(
            vim.dvs.DistributedVirtualPortgroup.ConfigSpec(
                name=name, type="earlyBinding", numPorts=32, defaultPortConfig=port
            )
        )
    wait_for_task(dvs.AddDVPortgroup_Task(specs))
    port_groups: dict[str, Any] = {
        name: find(content, vim.dvs.DistributedVirtualPortgroup, name) for name in PORT_GROUPS
    }
    std_name, std_vlan = STANDARD_PORT_GROUP
    standalone.host[0].configManager.networkSystem.AddPortGroup(
        portgrp=vim.host.PortGroup.Specification(
            name=std_name, vlanId=std_vlan, vswitchName="vSwitch0", policy=vim.host.NetworkPolicy()
        )
    )
    port_groups[std_name] = std_name

    # VMs, spread over their cluster's hosts.
    placed: dict[str, int] = {}
    for vm in VMS:
        compute = standalone if vm.cluster == STANDALONE else clusters[vm.cluster]
        hosts = list(compute.host)
        host = hosts[placed.get(vm.cluster, 0) % len(hosts)]
        placed[vm.cluster] = placed.get(vm.cluster, 0) + 1
        pool = objects[vm.pool] if vm.pool else compute.resourcePool
        folder = objects[vm.folder.rsplit("/", 1)[-1]]
        task = folder.CreateVM_Task(_vm_spec(vm, dvs, port_groups), pool, host)
        wait_for_task(task)
        objects[vm.name] = task.info.result
    for name, (cpu, mem, level) in VM_ALLOCATIONS.items():
        allocation = vim.vm.ConfigSpec(
            cpuAllocation=_allocation(cpu, -1, level, False),
            memoryAllocation=_allocation(mem, -1, level, False),
        )
        wait_for_task(objects[name].ReconfigVM_Task(allocation))

    # Clusters: DRS, HA, rules, groups and per-VM overrides, one reconfiguration each.
    for name, cluster in clusters.items():
        hosts = list(cluster.host)
        groups, rules = [], []
        for kind, rule, vms, mandatory, enabled in DRS_RULES.get(name, []):
            anti = kind == "anti"
            info_type = vim.cluster.AntiAffinityRuleSpec if anti else vim.cluster.AffinityRuleSpec
            rules.append(
                vim.cluster.RuleSpec(
                    operation="add",
                    info=info_type(
                        name=rule,
                        enabled=enabled,
                        mandatory=mandatory,
                        vm=[objects[v] for v in vms],
                    ),
                )
            )
        for rule, vm_group, vms, host_group, indexes, mandatory in VM_HOST_RULES.get(name, []):
            groups += [
                vim.cluster.GroupSpec(
                    operation="add",
                    info=vim.cluster.VmGroup(name=vm_group, vm=[objects[v] for v in vms]),
                ),
                vim.cluster.GroupSpec(
                    operation="add",
                    info=vim.cluster.HostGroup(name=host_group, host=[hosts[i] for i in indexes]),
                ),
            ]
            rules.append(
                vim.cluster.RuleSpec(
                    operation="add",
                    info=vim.cluster.VmHostRuleInfo(
                        name=rule,
                        enabled=True,
                        mandatory=mandatory,
                        vmGroupName=vm_group,
                        affineHostGroupName=host_group,
                    ),
                )
            )
        members = {vm.name for vm in VMS if vm.cluster == name}
        cluster_spec = vim.cluster.ConfigSpecEx(
            drsConfig=vim.cluster.DrsConfigInfo(
                enabled=True, defaultVmBehavior=DRS_BEHAVIOUR[name]
            ),
            dasConfig=vim.cluster.DasConfigInfo(
                enabled=HA_CLUSTERS[name], admissionControlEnabled=HA_CLUSTERS[name]
            ),
            groupSpec=groups,
            rulesSpec=rules,
            drsVmConfigSpec=[
                vim.cluster.DrsVmConfigSpec(
                    operation="add",
                    info=vim.cluster.DrsVmConfigInfo(
                        key=objects[vm], enabled=True, behavior=behaviour
                    ),
                )
                for vm, behaviour in DRS_OVERRIDES.items()
                if vm in members
            ],
            dasVmConfigSpec=[
                vim.cluster.DasVmConfigSpec(
                    operation="add",
                    info=vim.cluster.DasVmConfigInfo(
                        key=objects[vm],
                        dasSettings=vim.cluster.DasVmSettings(restartPriority=priority),
                    ),
                )
                for vm, priority in HA_OVERRIDES.items()
                if vm in members
            ],
        )
        wait_for_task(cluster.ReconfigureComputeResource_Task(cluster_spec, True))

    # Custom roles and permissions (vcsim replaces an entity's whole list: one call each).
    set_permissions(auth, objects, PERMISSIONS, add_roles(auth, ROLES))
    return {vm.name: objects[vm.name]._moId for vm in VMS}


def tag_vms(sim: VcsimServer, morefs: dict[str, str]) -> None:
    """Create the tag categories and tags and attach them, through vcsim's vAPI (/rest)."""
    base = f"https://{sim.host}:{sim.port}/rest/com/vmware/cis"
    with httpx.Client(verify=False, timeout=30) as client:  # noqa: S501 - vcsim's certificate
        session = client.post(f"{base}/session", auth=(sim.username, sim.password))
        session.raise_for_status()
        headers = {"vmware-api-session-id": session.json()["value"]}
        for category, tags in TAGS.items():
            created = client.post(
                f"{base}/tagging/category",
                headers=headers,
                json={
                    "create_spec": {
                        "name": category,
                        "description": f"{category} of the workload",
                        "cardinality": "SINGLE",
                        "associable_types": ["VirtualMachine"],
                    }
                },
            )
            created.raise_for_status()
            for tag, vms in tags.items():
                made = client.post(
                    f"{base}/tagging/tag",
                    headers=headers,
                    json={
                        "create_spec": {
                            "name": tag,
                            "description": "",
                            "category_id": created.json()["value"],
                        }
                    },
                )
                made.raise_for_status()
                for vm in vms:
                    attached = client.post(
                        f"{base}/tagging/tag-association/id:{made.json()['value']}?~action=attach",
                        headers=headers,
                        json={"object_id": {"id": morefs[vm], "type": "VirtualMachine"}},
                    )
                    attached.raise_for_status()


class _RecordedAssociations:
    """An SPBM ProfileManager whose ``PbmQueryAssociatedProfiles`` answers from a table
    (VM moref -> profile name) and which passes every other call to the real one."""

    def __init__(self, manager: Any, policies: dict[str, str]) -> None:
        self._manager = manager
        self._policies = policies

    def __getattr__(self, name: str) -> Any:
        return getattr(self._manager, name)

    def PbmQueryAssociatedProfiles(self, entities: Sequence[Any]) -> list[Any]:
        """What a real vCenter answers: one result per entity that carries a policy."""
        storage = pbm.profile.ResourceType(resourceType="STORAGE")
        ids = self._manager.PbmQueryProfile(resourceType=storage) or []
        by_name = {p.name: p.profileId for p in self._manager.PbmRetrieveContent(profileIds=ids)}
        results = []
        for entity in entities:
            moref = str(entity.key).split(":", 1)[0]
            name = self._policies.get(moref)
            if name is not None:
                results.append(
                    pbm.profile.QueryProfileResult(object=entity, profileId=[by_name[name]])
                )
        return results


@contextlib.contextmanager
def recorded_spbm_associations(policies: dict[str, str]) -> Iterator[None]:
    """Within the block, the SPBM collector's association query is answered from
    ``policies`` (VM moref -> profile name), since vcsim always answers it empty."""
    from ingest.vcenter import spbm

    original = spbm._profile_manager

    def patched(service_instance: Any, target: Any, secrets: list[str]) -> Any:
        return _RecordedAssociations(original(service_instance, target, secrets), policies)

    spbm._profile_manager = patched
    try:
        yield
    finally:
        spbm._profile_manager = original


# -- Active Directory ----------------------------------------------------------------------------
def build_directory(dc: SambaDC) -> None:
    """Add the demo's people and nested groups over LDAPS, then delete the departed groups."""
    people = {
        sam: {
            "displayName": display,
            "givenName": display.partition(" ")[0],
            "sn": display.partition(" ")[2] or sam,
            "mail": f"{sam}@{dc.dns_domain}",
        }
        for sam, display in PEOPLE.items()
    }
    add_accounts(
        dc,
        people,
        GROUPS,
        password="Demo-Only-Passw0rd!",  # noqa: S106 - a throwaway test DC's demo users
        disabled=DISABLED_PEOPLE,
        user_container="OU=People",
        group_container="OU=Groups",
        group_attributes={group: {"description": f"demo: {group}"} for group in GROUPS},
    )
    with ldaps_admin(dc) as conn:
        for group in DELETED_GROUPS:
            if not conn.delete(f"CN={group},OU=Groups,{dc.base_dn}"):
                raise RuntimeError(f"deleting {group}: {conn.result}")


# -- collection ----------------------------------------------------------------------------------
def collect(out_dir: Path) -> tuple[Path, Path]:
    """Build the scenario in vcsim and Samba and collect both with authmap's collectors."""
    from app import sync
    from ingest.ad import ADOptions, open_ad
    from ingest.vcenter import VCenterOptions, open_vcenter

    out_dir.mkdir(parents=True, exist_ok=True)
    vcenter_path, ad_path = out_dir / VCENTER_FILE, out_dir / AD_FILE
    template, _ = directory_template(DIRECTORY, name="authmap-demo")
    with (
        VcsimServer(
            ensure_vcsim_binary(), dc=1, cluster=3, host=3, vm=0, standalone_host=1, pg=1, ds=2
        ) as sim,
        SambaDC(template, AD_ADDRESS) as dc,
    ):
        si = connect(sim)
        try:
            morefs = build_vcenter(si)
        finally:
            Disconnect(si)
        tag_vms(sim, morefs)
        build_directory(dc)
        policies = {morefs[vm]: name for vm, name in STORAGE_POLICIES.items()}
        vcenter = VCenterOptions(
            f"{sim.host}:{sim.port}", sim.username, sim.password, insecure=True
        )
        with recorded_spbm_associations(policies), open_vcenter(vcenter) as collector:
            _report(sync.write_snapshot(collector, vcenter_path))
        ad = ADOptions((dc.ldaps_url,), dc.admin_dn, dc.admin_password, ca_file=dc.ca_file)
        with open_ad(ad) as collector:
            _report(sync.write_snapshot(collector, ad_path))
    return vcenter_path, ad_path


def _report(summary: CollectSummary) -> None:
    """What ``authmap collect`` prints about a snapshot."""
    print("\n".join(summary.describe()))
    print(f"Snapshot written to {summary.path}")


# -- ownership -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Pick:
    """Which decision (kind and a piece of its summary) gets which ownership."""

    kind: str
    summary_has: str
    team: str
    status: str
    enforcement: tuple[str, str | None] | None = None  # (platform, reference)
    verification: str | None = None  # method; the result is a pass


PICKS = [
    Pick("cluster_ha", "Prod-A", "platform", "verified",
         ("pve", "HA group prod-a, 3 nodes, shutdown_policy=migrate"), "dr_drill"),
    Pick("cluster_ha", "Prod-B", "platform", "enforced",
         ("pve", "HA group prod-b, 3 nodes")),
    Pick("cluster_drs", "Prod-A", "platform", "accepted"),
    Pick("cluster_drs", "Prod-B", "dba", "assigned"),
    Pick("vm_anti_affinity", "sql-01", "dba", "verified",
         ("pve", "HA resource affinity rule sql-ag-apart (negative)"), "dr_drill"),
    Pick("vm_host", "sql-licensed-hosts", "dba", "enforced",
         ("pve", "HA node affinity rule sql-licensed: pve-b1, pve-b2")),
    Pick("vm_anti_affinity", "web-01", "platform", "accepted"),
    Pick("permission", "CORP\\vSphere-Admins holds role Admin", "platform", "verified",
         ("pve", "pveum acl: group platform-admins, role Administrator, path /"), "config_check"),
    Pick("permission", "CORP\\DBA-Team holds role DB-Admin", "dba", "accepted"),
    Pick("permission", "CORP\\Network-Team", "platform", "assigned"),
    Pick("port_group", "pg-db-130", "platform", "enforced", ("pve", "SDN vnet db130, VLAN 130")),
    Pick("storage_policy", "VM Encryption Policy", "dba", "assigned"),
    Pick("pool_allocation", "DB-Reserved", "dba", "accepted"),
]  # fmt: skip

TEAMS = [
    ("platform", "platform@corp.example.test", "CORP\\Platform-Team"),
    ("dba", "dba@corp.example.test", "CORP\\DBA-Team"),
]
PLATFORMS = [("pve", "Proxmox VE")]
VERIFIED_BY = {"platform": "alice", "dba": "carol"}
VERIFIED_AT = "2026-03-02T10:15:00"


def owners_for(decisions: Sequence[Any]) -> Any:
    """The :class:`app.owners.OwnersFile` of :data:`PICKS` for these derived decisions (each
    pick must match exactly one active decision)."""
    from app.owners import (
        DecisionOwnership,
        EnforcementSpec,
        OwnersFile,
        VerificationSpec,
    )
    from app.ownership import TargetPlatform, Team

    chosen = []
    for pick in PICKS:
        found = [
            d
            for d in decisions
            if d.kind == pick.kind and d.state == "active" and pick.summary_has in d.summary
        ]
        if len(found) != 1:
            raise RuntimeError(
                f"pick {pick.kind}/{pick.summary_has!r} matches {len(found)} decisions"
            )
        decision = found[0]
        chosen.append(
            DecisionOwnership(
                id=decision.id,
                summary=decision.summary,
                team=pick.team,
                status=pick.status,
                enforcement=EnforcementSpec(
                    platform=pick.enforcement[0], reference=pick.enforcement[1]
                )
                if pick.enforcement
                else None,
                verification=VerificationSpec(
                    method=pick.verification,
                    result="pass",
                    by=VERIFIED_BY[pick.team],
                    at=VERIFIED_AT,
                )
                if pick.verification
                else None,
            )
        )
    chosen.sort(key=lambda d: d.id)
    return OwnersFile(
        teams=[Team(name=n, contact=c, directory_group=g) for n, c, g in TEAMS],
        platforms=[TargetPlatform(name=n, kind=k) for n, k in PLATFORMS],
        decisions=chosen,
    )


def write_owners(snapshots: Sequence[Path], out_path: Path) -> Path:
    """Load ``snapshots`` into a temporary Neo4j, derive, and write the ownership file."""
    from app.decisions import list_decisions
    from app.derive import run_derive
    from app.graph.loader import load_snapshot
    from app.owners import dump
    from bench.measure import temporary_graph

    with (
        tempfile.TemporaryDirectory(prefix="authmap-demo-") as home,
        temporary_graph(Path(home), heap="512m", pagecache="256m") as graph,
    ):
        for path in snapshots:
            load_snapshot(graph, path)
        run_derive(graph)
        owners = owners_for(list_decisions(graph))
    out_path.write_text(dump(owners), encoding="utf-8")
    return out_path


def main(argv: Sequence[str] | None = None) -> int:
    """The command line (see the module docstring)."""
    parser = argparse.ArgumentParser(
        prog="python -m demo.scenario",
        description="Regenerate authmap's demo estate: build it in vcsim and Samba AD, collect "
        f"it into {VCENTER_FILE} and {AD_FILE}, and derive {OWNERS_FILE} from them.",
    )
    parser.add_argument(
        "--out", type=Path, default=DEMO_DIR, help="Output directory (default: demo/)."
    )
    parser.add_argument(
        "--no-owners",
        action="store_true",
        help=f"Only collect the snapshots; do not start Neo4j to write {OWNERS_FILE}.",
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    vcenter_path, ad_path = collect(args.out)
    if not args.no_owners:
        owners = write_owners([vcenter_path, ad_path], args.out / OWNERS_FILE)
        print(f"Ownership file written to {owners}")
    print(f"Demo estate regenerated in {time.monotonic() - started:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
