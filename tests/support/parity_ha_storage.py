"""The parity scenario's HA restart priorities, SPBM storage policies and MAC-mapped VMs
(tests/test_parity_kube.py; the rest is tests/support/parity_scenario.py).

Source: HA on cluster DC0_C0 (default restart priority medium) with per-VM overrides: VM0
high, VM1 low, VM2 disabled, VM3 high, VM4 high, VM6 isolation response only. vcsim reports
no VM-to-policy associations, so the storage policies (Gold, Silver, Bronze, Tin, Platinum
with an IOPS limit, Archive) and their VMs are an SPBM snapshot loaded with ``authmap load``.
Target: PriorityClasses, StorageClasses, ``mac-only`` (VM6, matched by MAC alone) and two VMs
sharing VM7's MAC (ambiguous).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pyVim.connect import Disconnect
from pyVmomi import vim

from app.records import vcenter as r
from app.records.contract import SourceIdentity
from app.snapshot import SnapshotWriter
from tests.support import kube_objects as ko
from tests.support.vcsim import VcsimServer
from tests.support.vsphere import connect, wait_for_task

SPBM_SOURCE = "parity-spbm"
PRIORITY_CLASSES = {"parity-vm-high": 1000000, "parity-vm-low": 1000}
STORAGE_CLASSES = {
    "parity-fast": {},
    "parity-standard": {},
    "parity-slow": {},
    "platinum": {"tier": "platinum"},
}
POLICY_MAP = {"Gold": "parity-fast", "Silver": "parity-standard", "Bronze": "parity-slow"}
POLICIES: dict[str, tuple[list[str], list[int]]] = {
    "Gold": ([], [0, 1]),
    "Silver": ([], [2, 3]),
    "Bronze": ([], [6]),
    "Tin": ([], [3]),
    "Platinum": (["VSAN.iopsLimit=5000"], [0]),
    "Archive": ([], [4]),
}
"""Policy name -> (rule lines, indexes of the VMs it governs)."""
VOLUMES = {
    "sql-a": {"sql-a-data": ("parity-fast", "1Gi"), "sql-a-logs": ("platinum", "1Gi")},
    "sql-b": {"sql-b-data": ("parity-fast", "1Gi")},
    "web-a": {"web-a-data": ("parity-standard", "1Gi")},
    "dc0-c0-rp0-vm3": {"vm3-data": ("parity-slow", "1Gi")},
}
"""Target VM -> its DataVolume templates (storage class, size)."""
PRIORITY = {"sql-a": "parity-vm-high", "sql-b": "parity-vm-low"}
"""Target VM -> its priorityClassName."""


def configure_ha(cluster: Any, vms: list[Any]) -> None:
    """HA on, default restart priority medium, the per-VM overrides of the module docstring."""
    c = vim.cluster
    overrides = {0: "high", 1: "low", 2: "disabled", 3: "high", 4: "high"}
    specs = [
        c.DasVmConfigSpec(
            operation="add",
            info=c.DasVmConfigInfo(key=vms[i], dasSettings=c.DasVmSettings(restartPriority=p)),
        )
        for i, p in overrides.items()
    ]
    specs.append(
        c.DasVmConfigSpec(
            operation="add",
            info=c.DasVmConfigInfo(
                key=vms[6], dasSettings=c.DasVmSettings(isolationResponse="powerOff")
            ),
        )
    )
    das = c.DasConfigInfo(enabled=True, defaultVmSettings=c.DasVmSettings(restartPriority="medium"))
    spec = c.ConfigSpecEx(dasConfig=das, dasVmConfigSpec=specs)
    wait_for_task(cluster.ReconfigureComputeResource_Task(spec, True))


def macs(sim: VcsimServer) -> dict[str, list[str]]:
    """The virtual NICs' MAC addresses of each VM by name."""
    si = connect(sim)
    try:
        view = si.content.viewManager.CreateContainerView(
            si.content.rootFolder, [vim.VirtualMachine], True
        )
        return {
            vm.name: [
                str(d.macAddress)
                for d in vm.config.hardware.device
                if isinstance(d, vim.vm.device.VirtualEthernetCard)
            ]
            for vm in view.view
        }
    finally:
        Disconnect(si)


def write_storage_policies(path: Path, vm_ids: dict[str, str]) -> None:
    """The SPBM snapshot: ``vm_ids`` are the ingested VMs' record ids by name."""
    with SnapshotWriter(path, SourceIdentity(kind="vcenter", id=SPBM_SOURCE)) as out:
        for name, (rules, members) in POLICIES.items():
            policy = f"{SPBM_SOURCE}:spbm:{name}"
            out.write(r.StoragePolicy(id=policy, profile_id=name, name=name, rules=rules))
            for i in members:
                vm = vm_ids[f"DC0_C0_RP0_VM{i}"]
                out.write(
                    r.StoragePolicyAssociation(
                        id=f"{vm}:spbm:{name}", object_type="vm_home", vm=vm, policy=policy
                    )
                )


def target_objects(vm_macs: dict[str, list[str]], prod: str, dev: str) -> list[ko.Manifest]:
    """PriorityClasses, StorageClasses, the MAC-only VM and the two sharing a MAC."""
    found: list[ko.Manifest] = [
        {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
         "metadata": {"name": name}, "value": value}
        for name, value in PRIORITY_CLASSES.items()
    ] + [
        {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": name},
         "provisioner": f"example.com/{name}", "parameters": params}
        for name, params in STORAGE_CLASSES.items()
    ]  # fmt: skip
    shared = vm_macs["DC0_C0_RP0_VM7"][0]
    found += [
        ko.vm_manifest("mac-only", prod, macs={"default": vm_macs["DC0_C0_RP0_VM6"][0]}),
        ko.vm_manifest("twin-a", prod, macs={"default": shared}),
        ko.vm_manifest("twin-b", dev, macs={"default": shared}),
    ]
    return found
