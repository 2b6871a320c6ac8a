"""The documented table from vSphere privileges to Proxmox VE privileges.

Each vSphere privilege is **mapped** (the PVE privileges that allow the same on a guest, each
checked on the guest's ACL path ``/vms/{vmid}``, or for ``Datastore.AllocateSpace`` on each
storage the guest's disks use, ``/storage/{id}``), **implicit** (every PVE user has it:
``System.Anonymous``, ``System.View``) or has **no analogue** (listed, never silently
dropped). Entries are exact ids or prefixes ending in ``.*``; the most specific entry wins.
The privilege names are those of ``pveum`` "Privileges" (PVE 8 and 9). ``docs/targets.md``
prints this table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from app.parity.privileges import Kind, lookup_in

On = Literal["vm", "storage"]


@dataclass(frozen=True, order=True)
class PveCheck:
    """One PVE privilege a principal must hold, and where."""

    privilege: str
    on: On = "vm"

    def text(self) -> str:
        """``VM.PowerMgmt`` or ``Datastore.AllocateSpace on the VM's storage``."""
        return self.privilege if self.on == "vm" else f"{self.privilege} on the VM's storage"


def _vm(*privileges: str) -> tuple[PveCheck, ...]:
    return tuple(PveCheck(p) for p in privileges)


TABLE: dict[str, tuple[PveCheck, ...] | Literal["implicit", "none"]] = {
    "System.Anonymous": "implicit",
    "System.View": "implicit",
    "System.Read": _vm("VM.Audit"),
    "VirtualMachine.Interact.PowerOn": _vm("VM.PowerMgmt"),
    "VirtualMachine.Interact.PowerOff": _vm("VM.PowerMgmt"),
    "VirtualMachine.Interact.Reset": _vm("VM.PowerMgmt"),
    "VirtualMachine.Interact.Suspend": _vm("VM.PowerMgmt"),
    "VirtualMachine.Interact.ConsoleInteract": _vm("VM.Console"),
    "VirtualMachine.Interact.SetCDMedia": _vm("VM.Config.CDROM"),
    "VirtualMachine.Interact.DeviceConnection": _vm("VM.Config.HWType"),
    "VirtualMachine.Interact.*": "none",
    "VirtualMachine.Config.CPUCount": _vm("VM.Config.CPU"),
    "VirtualMachine.Config.Memory": _vm("VM.Config.Memory"),
    "VirtualMachine.Config.Resource": _vm("VM.Config.CPU", "VM.Config.Memory"),
    "VirtualMachine.Config.AddExistingDisk": _vm("VM.Config.Disk"),
    "VirtualMachine.Config.AddNewDisk": _vm("VM.Config.Disk"),
    "VirtualMachine.Config.RemoveDisk": _vm("VM.Config.Disk"),
    "VirtualMachine.Config.DiskExtend": _vm("VM.Config.Disk"),
    "VirtualMachine.Config.RawDevice": _vm("VM.Config.Disk"),
    "VirtualMachine.Config.AddRemoveDevice": _vm("VM.Config.HWType"),
    "VirtualMachine.Config.EditDevice": _vm("VM.Config.HWType"),
    "VirtualMachine.Config.HostUSBDevice": _vm("VM.Config.HWType"),
    "VirtualMachine.Config.UpgradeVirtualHardware": _vm("VM.Config.HWType"),
    "VirtualMachine.Config.Settings": _vm("VM.Config.Options"),
    "VirtualMachine.Config.AdvancedConfig": _vm("VM.Config.Options"),
    "VirtualMachine.Config.Rename": _vm("VM.Config.Options"),
    "VirtualMachine.Config.Annotation": _vm("VM.Config.Options"),
    "VirtualMachine.Config.*": "none",
    "VirtualMachine.Inventory.Create": _vm("VM.Allocate"),
    "VirtualMachine.Inventory.CreateFromExisting": _vm("VM.Clone"),
    "VirtualMachine.Inventory.Delete": _vm("VM.Allocate"),
    "VirtualMachine.Inventory.Register": _vm("VM.Allocate"),
    "VirtualMachine.Inventory.Unregister": _vm("VM.Allocate"),
    "VirtualMachine.Inventory.*": "none",
    "VirtualMachine.Provisioning.Clone": _vm("VM.Clone"),
    "VirtualMachine.Provisioning.DeployTemplate": _vm("VM.Clone"),
    "VirtualMachine.Provisioning.MarkAsTemplate": _vm("VM.Allocate"),
    "VirtualMachine.Provisioning.*": "none",
    "VirtualMachine.State.CreateSnapshot": _vm("VM.Snapshot"),
    "VirtualMachine.State.RemoveSnapshot": _vm("VM.Snapshot"),
    "VirtualMachine.State.RenameSnapshot": _vm("VM.Snapshot"),
    "VirtualMachine.State.RevertToSnapshot": _vm("VM.Snapshot.Rollback"),
    "VirtualMachine.State.*": "none",
    "VirtualMachine.GuestOperations.*": "none",
    "VirtualMachine.*": "none",
    "Resource.HotMigrate": _vm("VM.Migrate"),
    "Resource.ColdMigrate": _vm("VM.Migrate"),
    "Datastore.AllocateSpace": (PveCheck("Datastore.AllocateSpace", "storage"),),
    "Authorization.ModifyPermissions": _vm("Permissions.Modify"),
}
"""vSphere privilege (or ``prefix.*``) -> its PVE checks, ``implicit`` or ``none``."""


VM_CONTROL: frozenset[str] = frozenset(
    {
        "VM.PowerMgmt",
        "VM.Console",
        "VM.Allocate",
        "VM.Clone",
        "VM.Migrate",
        "VM.Snapshot",
        "VM.Snapshot.Rollback",
        "VM.Backup",
        "VM.Config.CPU",
        "VM.Config.Memory",
        "VM.Config.Disk",
        "VM.Config.Network",
        "VM.Config.HWType",
        "VM.Config.Options",
        "VM.Config.CDROM",
        "VM.Config.Cloudinit",
        "Permissions.Modify",
    }
)
"""What "controls a VM" means on PVE, for target-only authority and for NoAccess: any of
these on a guest's path."""


def lookup(privilege: str) -> tuple[Kind, tuple[PveCheck, ...]]:
    """What a vSphere privilege is on PVE (:data:`TABLE`, walked as the Kubernetes table
    is)."""
    return lookup_in(TABLE, privilege)


@dataclass(frozen=True)
class PveRole:
    """A vSphere role's privileges, split by what PVE can check."""

    checks: tuple[PveCheck, ...]
    no_analogue: tuple[str, ...]


def translate(privileges: Iterable[str]) -> PveRole:
    """The PVE checks for a set of vSphere privileges, and the privileges with none."""
    checks: set[PveCheck] = set()
    none: list[str] = []
    for privilege in sorted(set(privileges)):
        kind, found = lookup(privilege)
        if kind == "none":
            none.append(privilege)
        checks.update(found)
    return PveRole(tuple(sorted(checks)), tuple(none))
