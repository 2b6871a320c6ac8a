# ruff: noqa: E501  (scenario tables: one object per line reads better than wrapped)
"""A source estate in vcsim and its migrated counterpart in the real kube-apiserver, built so
that each parity category shows each status (tests/test_parity_kube.py).

Source (vcsim, one cluster, hosts H0-H2, VMs VM0-VM7): DRS rules, a VM-host must rule and a
should rule, permissions of custom roles, reservations, limits, shares and pools, port groups
on VLANs 120-160, HA restart priorities and storage policies (tests/support/parity_ha_storage.py).
Target (namespaces ``parity-prod`` / ``parity-dev``): VM0-VM3 migrated (found by VMware-format
serial, plain serial, firmware UUID and name), VM5 twice (ambiguous by name), VM6 by MAC, VM7
twice (ambiguous by MAC), VM4 not migrated; nodes, NADs, a quota and RBAC made to enforce, drift from or miss each
decision. ``random_grants`` adds generated principals for the SubjectAccessReview oracle.
"""

from __future__ import annotations

import random
from typing import Any

from kubernetes import client as k8s
from pyVim.connect import Disconnect
from pyVmomi import vim

from tests.conftest import Neo4jInstance
from tests.support import kube_objects as ko
from tests.support.kube import KubeCluster
from tests.support.parity_ha_storage import PRIORITY, VOLUMES, configure_ha, target_objects
from tests.support.vcsim import VcsimServer
from tests.support.vsphere import (
    SYSTEM_ROLE_IDS,
    add_dv_portgroup,
    add_roles,
    connect,
    find,
    set_permissions,
    wait_for_task,
)

PROD, DEV = "parity-prod", "parity-dev"
NODES = ("parity-worker-0", "parity-worker-1", "parity-worker-2")
HOST_MAP = {"DC0_C0_H0": NODES[0], "DC0_C0_H1": NODES[1], "DC0_C0_H2": NODES[2]}
ROLES = {
    "VM Operator": [
        "System.Anonymous", "System.View", "System.Read", "VirtualMachine.Interact.PowerOn",
        "VirtualMachine.Interact.PowerOff", "VirtualMachine.Interact.Reset",
        "VirtualMachine.Interact.ConsoleInteract",
    ],
    "VM Config": ["VirtualMachine.Config.Memory", "VirtualMachine.Config.CPUCount"],
    "Host Ops": ["Host.Config.Maintenance"],
}  # fmt: skip
GENERATED_PRIVILEGES = (
    "VirtualMachine.Interact.PowerOn", "VirtualMachine.Interact.PowerOff",
    "VirtualMachine.Interact.Reset", "VirtualMachine.Interact.ConsoleInteract",
    "VirtualMachine.Config.Memory", "VirtualMachine.Inventory.Delete", "System.Read",
)  # fmt: skip
GENERATED_RULES = (
    {"apiGroups": ["subresources.kubevirt.io"], "resources": ["virtualmachines/start"], "verbs": ["update"]},
    {"apiGroups": ["subresources.kubevirt.io"], "resources": ["virtualmachines/stop", "virtualmachines/restart"], "verbs": ["update"]},
    {"apiGroups": ["subresources.kubevirt.io"], "resources": ["virtualmachineinstances/console", "virtualmachineinstances/vnc"], "verbs": ["get"]},
    {"apiGroups": ["kubevirt.io"], "resources": ["virtualmachines"], "verbs": ["get", "list", "update", "patch"]},
    {"apiGroups": ["kubevirt.io"], "resources": ["virtualmachines"], "verbs": ["delete"]},
    {"apiGroups": ["kubevirt.io"], "resources": ["virtualmachines"], "verbs": ["get"], "resourceNames": ["sql-a"]},
    {"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
)  # fmt: skip
"""Rules the oracle's generated roles draw from (one names a VM, one is a wildcard)."""


def uuids(sim: VcsimServer) -> dict[str, str]:
    """BIOS UUID of each VM by name."""
    si = connect(sim)
    try:
        view = si.content.viewManager.CreateContainerView(
            si.content.rootFolder, [vim.VirtualMachine], True
        )
        return {vm.name: vm.config.uuid for vm in view.view}
    finally:
        Disconnect(si)


def vmware_serial(uuid: str) -> str:
    """A BIOS UUID in VMware's serial-number format."""
    h = uuid.replace("-", "")
    pairs = [h[i : i + 2] for i in range(0, 32, 2)]
    return "VMware-" + " ".join(pairs[:8]) + "-" + " ".join(pairs[8:])


def _nic_to(content: Any, vm: Any, portgroup: str) -> None:
    pg = find(content, vim.dvs.DistributedVirtualPortgroup, portgroup)
    nic = next(
        d for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualEthernetCard)
    )
    nic.backing = vim.vm.device.VirtualEthernetCard.DistributedVirtualPortBackingInfo(
        port=vim.dvs.PortConnection(
            portgroupKey=pg.key, switchUuid=pg.config.distributedVirtualSwitch.uuid
        )
    )
    change = vim.vm.device.VirtualDeviceSpec(operation="edit", device=nic)
    wait_for_task(vm.ReconfigVM_Task(vim.vm.ConfigSpec(deviceChange=[change])))


def _alloc(**kw: Any) -> Any:
    shares = kw.pop("shares", "normal")
    return vim.ResourceAllocationInfo(
        reservation=kw.get("reservation", 0), limit=kw.get("limit", -1), expandableReservation=False,
        shares=vim.SharesInfo(level=shares, shares=0 if shares != "custom" else 1000),
    )  # fmt: skip


def _placement(cluster: Any, vms: list[Any], hosts: list[Any]) -> None:
    c = vim.cluster
    groups = [("db-vms", vms[0:2], None), ("web-vms", vms[2:4], None),
              ("rack-ab", None, hosts[0:2]), ("rack-c", None, hosts[2:3])]  # fmt: skip
    spec_groups = [
        c.GroupSpec(
            operation="add", info=c.VmGroup(name=n, vm=v) if v else c.HostGroup(name=n, host=h)
        )
        for n, v, h in groups
    ]
    rules = [
        c.AntiAffinityRuleSpec(name="db-apart", enabled=True, vm=vms[0:2]),
        c.AntiAffinityRuleSpec(name="web-apart", enabled=True, vm=vms[2:4]),
        c.AffinityRuleSpec(name="db-web-together", enabled=True, vm=[vms[0], vms[2]]),
        c.AntiAffinityRuleSpec(name="old-apart", enabled=True, vm=vms[4:6]),
        c.VmHostRuleInfo(name="db-on-rack-ab", enabled=True, mandatory=True, vmGroupName="db-vms", affineHostGroupName="rack-ab"),
        c.VmHostRuleInfo(name="web-on-rack-c", enabled=True, mandatory=False, vmGroupName="web-vms", affineHostGroupName="rack-c"),
    ]  # fmt: skip
    spec = c.ConfigSpecEx(
        drsConfig=c.DrsConfigInfo(enabled=True), groupSpec=spec_groups,
        rulesSpec=[c.RuleSpec(operation="add", info=r) for r in rules],
    )  # fmt: skip
    wait_for_task(cluster.ReconfigureComputeResource_Task(spec, True))


def random_grants(seed: int = 17, count: int = 12) -> list[tuple[str, list[str], int]]:
    """Generated source grants: ``(group, privileges, VM index)``; a group's grants are on
    different VMs (an entity holds one permission per principal)."""
    rnd = random.Random(seed)
    return [
        (
            f"gen-{i % 6}",
            sorted(rnd.sample(GENERATED_PRIVILEGES, rnd.randint(1, 3))),
            2 * (i // 6) + rnd.randrange(2),
        )
        for i in range(count)
    ]


def random_bindings(seed: int = 17) -> list[tuple[str, list[int]]]:
    """Generated target roles per generated group: ``(group, rule indexes)``."""
    rnd = random.Random(seed + 1)
    return [
        (f"gen-{i}", rnd.sample(range(len(GENERATED_RULES)), rnd.randint(0, 3))) for i in range(6)
    ]


def build_source(sim: VcsimServer) -> None:
    """The source estate (see the module docstring)."""
    si = connect(sim)
    try:
        content = si.RetrieveContent()
        cluster = find(content, vim.ClusterComputeResource, "DC0_C0")
        vms = [find(content, vim.VirtualMachine, f"DC0_C0_RP0_VM{i}") for i in range(8)]
        hosts = [find(content, vim.HostSystem, f"DC0_C0_H{i}") for i in range(3)]
        _placement(cluster, vms, hosts)
        configure_ha(cluster, vms)
        role_ids = add_roles(
            content.authorizationManager,
            ROLES | {f"gen-role-{i}": privs for i, (_, privs, _) in enumerate(random_grants())},
        )
        objects = {"DC0_C0": cluster} | {f"vm{i}": vm for i, vm in enumerate(vms)}
        grants = [
            ("CORP\\vm-operators", True, "VM Operator", "DC0_C0", True),
            ("CORP\\host-admins", True, "Host Ops", "DC0_C0", True),
            ("CORP\\vm-viewers", True, "ReadOnly", "vm0", False),
            ("CORP\\db-admins", True, "VM Config", "vm2", False),
            ("CORP\\mallory", False, "NoAccess", "vm3", False),
            ("CORP\\legacy", True, "Admin", "vm4", False),
        ] + [
            (f"CORP\\{group}", True, f"gen-role-{i}", f"vm{vm}", False)
            for i, (group, _, vm) in enumerate(random_grants())
        ]
        set_permissions(content.authorizationManager, objects, grants, role_ids | SYSTEM_ROLE_IDS)
        reconfig = [(0, {"memoryAllocation": _alloc(reservation=2048)}),
                    (1, {"memoryAllocation": _alloc(reservation=8192)}),
                    (2, {"memoryAllocation": _alloc(limit=4096)}),
                    (3, {"cpuAllocation": _alloc(shares="high")}),
                    (4, {"memoryAllocation": _alloc(reservation=1024)})]  # fmt: skip
        for i, spec in reconfig:
            wait_for_task(vms[i].ReconfigVM_Task(vim.vm.ConfigSpec(**spec)))
        root = cluster.resourcePool
        gold = root.CreateResourcePool(
            "gold",
            vim.ResourceConfigSpec(cpuAllocation=_alloc(), memoryAllocation=_alloc(limit=16384)),
        )
        silver = root.CreateResourcePool(
            "silver",
            vim.ResourceConfigSpec(cpuAllocation=_alloc(), memoryAllocation=_alloc(limit=8192)),
        )
        for pool, members in ((gold, vms[0:2]), (silver, vms[2:3])):
            for vm in members:  # vcsim has no MoveIntoResourcePool
                wait_for_task(vm.RelocateVM_Task(vim.vm.RelocateSpec(pool=pool)))
        for name, vlan in (("pg-db-120", 120), ("pg-web-130", 130), ("pg-app-140", 140),
                           ("pg-db-150", 150), ("pg-old-160", 160), ("pg-mgmt-170", 170)):  # fmt: skip
            add_dv_portgroup(content, name, vlan)
        for i, pg in (
            (0, "pg-app-140"),
            (1, "pg-app-140"),
            (2, "pg-db-150"),
            (3, "pg-db-150"),
            (4, "pg-old-160"),
        ):
            _nic_to(content, vms[i], pg)
    finally:
        Disconnect(si)


def _vm(
    name: str, ns: str, app: str, nads: list[str], spec: dict[str, Any], **kw: Any
) -> ko.Manifest:
    macs = {"default": f"02:00:00:00:{abs(hash(name)) % 256:02x}:01"}
    macs |= {nad: f"02:00:00:01:{i:02x}:{abs(hash(name)) % 256:02x}" for i, nad in enumerate(nads)}
    if name in PRIORITY:
        spec = {**spec, "priorityClassName": PRIORITY[name]}
    return ko.vm_manifest(
        name, ns, template_labels={"app": app, "vm": name}, macs=macs, spec=spec,
        data_volumes=VOLUMES.get(name), **kw,
    )  # fmt: skip


def _anti(app: str, required: bool) -> dict[str, Any]:
    term = {"labelSelector": {"matchLabels": {"app": app}}, "topologyKey": "kubernetes.io/hostname"}
    if required:
        return {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term]}}
    return {
        "podAntiAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {"weight": 100, "podAffinityTerm": term}
            ]
        }
    }


def _nodes(names: list[str], required: bool) -> dict[str, Any]:
    term = {
        "matchExpressions": [{"key": "kubernetes.io/hostname", "operator": "In", "values": names}]
    }
    if required:
        return {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [term]}}
    return {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 10, "preference": term}]}


def _bridge(vlan: int) -> dict[str, Any]:
    return {
        "cniVersion": "0.3.1",
        "name": f"br-{vlan}",
        "type": "bridge",
        "bridge": "br0",
        "vlan": vlan,
    }


def build_target(kube: KubeCluster, ids: dict[str, str], macs: dict[str, list[str]]) -> None:
    """The migrated counterpart (see the module docstring); ``macs``: the source VMs' MACs."""
    api = kube.api_client()
    rbac = k8s.RbacAuthorizationV1Api(api)
    for ns in (PROD, DEV):
        ko.create(api, ko.namespace(ns))
    for node in NODES:
        ko.create(
            api,
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": node, "labels": {"kubernetes.io/hostname": node}},
            },
        )
    for vlan in (120, 130, 140, 150):
        ko.create(api, ko.nad_manifest(f"vlan{vlan}", PROD, _bridge(vlan)))
    ab = [NODES[0], NODES[1]]
    vms = [
        _vm("sql-a", PROD, "db", ["vlan140"], {"affinity": {**_anti("db", True), "nodeAffinity": _nodes(ab, True)}},
            serial=vmware_serial(ids["DC0_C0_RP0_VM0"])),
        _vm("sql-b", PROD, "db", ["vlan130"], {"affinity": {**_anti("db", True), "nodeAffinity": _nodes(ab, True)}},
            serial=ids["DC0_C0_RP0_VM1"]),
        _vm("web-a", PROD, "web", ["vlan150"], {"affinity": {**_anti("web", False), "nodeAffinity": _nodes([NODES[0]], False)}},
            uuid=ids["DC0_C0_RP0_VM2"], run_strategy="Manual"),
        _vm("dc0-c0-rp0-vm3", PROD, "web", ["vlan150"], {"affinity": _anti("web", False)}),
        _vm("dc0-c0-rp0-vm5", PROD, "old", [], {}),
        _vm("dc0-c0-rp0-vm5", DEV, "old", [], {}),
    ]  # fmt: skip
    for vm in [*vms, *target_objects(macs, PROD, DEV)]:
        ko.create(api, vm)
    ko.create(
        api,
        {
            "apiVersion": "v1",
            "kind": "ResourceQuota",
            "metadata": {"name": "compute", "namespace": PROD},
            "spec": {"hard": {"limits.memory": "16Gi"}},
        },
    )
    roles = {
        "parity-vm-operator": [
            {"apiGroups": ["subresources.kubevirt.io"], "resources": ["virtualmachines/start", "virtualmachines/stop", "virtualmachines/restart"], "verbs": ["update"]},
            {"apiGroups": ["subresources.kubevirt.io"], "resources": ["virtualmachineinstances/console", "virtualmachineinstances/vnc"], "verbs": ["get"]},
            {"apiGroups": ["kubevirt.io"], "resources": ["virtualmachines"], "verbs": ["get", "list"]},
        ],
        "parity-vm-getter": [{"apiGroups": ["kubevirt.io"], "resources": ["virtualmachines"], "verbs": ["get"]}],
        "parity-pod-reader": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}],
    }  # fmt: skip
    for name, rules in roles.items():
        ko.create(api, ko.cluster_role(name, rules))
    bindings: tuple[tuple[str, str, list[tuple[str, str]], str | None], ...] = (
        ("operators", "parity-vm-operator", [("Group", "vm-operators"), ("ServiceAccount", "gitops/argocd")], PROD),
        ("viewers", "parity-vm-getter", [("Group", "vm-viewers")], PROD),
        ("db-admins", "parity-pod-reader", [("Group", "db-admins")], PROD),
        ("parity-platform-admins", "cluster-admin", [("Group", "platform-admins")], None),
    )  # fmt: skip
    for name, role, subjects, scope in bindings:
        ko.create(api, ko.binding(name, role, subjects, ns=scope))
    for group, picks in random_bindings():
        ko.create(api, ko.cluster_role(f"parity-{group}", [GENERATED_RULES[i] for i in picks]))
        ko.create(
            api, ko.binding(f"parity-{group}", f"parity-{group}", [("Group", group)], ns=PROD)
        )
    rbac.api_client.close()


def ingest_target(instance: Neo4jInstance, kube: KubeCluster) -> None:
    """``authmap ingest kubernetes`` with the cluster's admin kubeconfig."""
    proc = instance.cli("ingest", "kubernetes", "--kubeconfig", str(kube.kubeconfig))
    assert proc.returncode == 0, proc.stderr


def by_summary(report: dict[str, Any], summary: str) -> dict[str, Any]:
    """The one decision whose summary holds every ``&``-separated part of ``summary``."""
    parts = summary.split(" & ")
    found = [d for d in report["decisions"] if all(p in d["summary"] for p in parts)]
    assert len(found) == 1, (summary, [d["summary"] for d in found])
    only: dict[str, Any] = found[0]
    return only
