"""The documented table from vSphere privileges to Kubernetes / KubeVirt authority.

Each vSphere privilege is one of:

- **mapped**: the Kubernetes requests (API group, resource, subresource, verb) that do on a
  KubeVirt VM what the privilege allows on a vSphere VM; change-authority parity asks the
  target's authorizer (SubjectAccessReview) whether the mapped principal may make each;
- **implicit**: every authenticated account has it on Kubernetes too (``System.Anonymous``,
  ``System.View``): nothing to check;
- **no analogue**: the target has no request that does it (listed, never silently dropped).

Entries are exact privilege ids or prefixes ending in ``.*``; the most specific entry wins.
``docs/targets.md`` prints this table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, TypeVar

KUBEVIRT = "kubevirt.io"
SUBRESOURCES = "subresources.kubevirt.io"
SNAPSHOT = "snapshot.kubevirt.io"
CLONE = "clone.kubevirt.io"
CNI = "k8s.cni.cncf.io"
RBAC = "rbac.authorization.k8s.io"


@dataclass(frozen=True, order=True)
class Check:
    """One Kubernetes request a principal must be allowed to make."""

    group: str
    resource: str
    verb: str
    subresource: str = ""
    named: bool = True
    """The request names the VM (a resource name): checked per VM, not per namespace."""

    def text(self) -> str:
        """``update virtualmachines/start (subresources.kubevirt.io)``."""
        sub = f"/{self.subresource}" if self.subresource else ""
        return f"{self.verb} {self.resource}{sub} ({self.group or 'core'})"


def _vm(verb: str, sub: str = "", group: str = KUBEVIRT) -> Check:
    return Check(group, "virtualmachines", verb, sub)


def _vmi(verb: str, sub: str) -> Check:
    return Check(SUBRESOURCES, "virtualmachineinstances", verb, sub)


READ = (_vm("get"), Check(KUBEVIRT, "virtualmachines", "list", named=False))
CONFIG = (_vm("update"), _vm("patch"))

TABLE: dict[str, tuple[Check, ...] | Literal["implicit", "none"]] = {
    "System.Anonymous": "implicit",
    "System.View": "implicit",
    "System.Read": READ,
    "VirtualMachine.Interact.PowerOn": (_vm("update", "start", SUBRESOURCES),),
    "VirtualMachine.Interact.PowerOff": (_vm("update", "stop", SUBRESOURCES),),
    "VirtualMachine.Interact.Reset": (_vm("update", "restart", SUBRESOURCES),),
    "VirtualMachine.Interact.Suspend": (_vmi("update", "pause"), _vmi("update", "unpause")),
    "VirtualMachine.Interact.ConsoleInteract": (_vmi("get", "console"), _vmi("get", "vnc")),
    "VirtualMachine.Interact.AddRemoveDevice": (
        _vmi("update", "addvolume"),
        _vmi("update", "removevolume"),
    ),
    "VirtualMachine.Interact.DeviceConnection": CONFIG,
    "VirtualMachine.Interact.SetCDMedia": CONFIG,
    "VirtualMachine.Interact.SetFloppyMedia": "none",
    "VirtualMachine.Interact.*": "none",
    "VirtualMachine.Config.*": CONFIG,
    "VirtualMachine.Inventory.Create": (Check(KUBEVIRT, "virtualmachines", "create", named=False),),
    "VirtualMachine.Inventory.CreateFromExisting": (
        Check(CLONE, "virtualmachineclones", "create", named=False),
    ),
    "VirtualMachine.Inventory.Delete": (_vm("delete"),),
    "VirtualMachine.Inventory.*": "none",
    "VirtualMachine.Provisioning.Clone": (
        Check(CLONE, "virtualmachineclones", "create", named=False),
    ),
    "VirtualMachine.Provisioning.*": "none",
    "VirtualMachine.State.CreateSnapshot": (
        Check(SNAPSHOT, "virtualmachinesnapshots", "create", named=False),
    ),
    "VirtualMachine.State.RevertToSnapshot": (
        Check(SNAPSHOT, "virtualmachinerestores", "create", named=False),
    ),
    "VirtualMachine.State.RemoveSnapshot": (
        Check(SNAPSHOT, "virtualmachinesnapshots", "delete", named=False),
    ),
    "VirtualMachine.State.*": "none",
    "VirtualMachine.GuestOperations.*": "none",
    "VirtualMachine.*": "none",
    "Resource.HotMigrate": (
        Check(KUBEVIRT, "virtualmachineinstancemigrations", "create", named=False),
    ),
    "Resource.ColdMigrate": (
        Check(KUBEVIRT, "virtualmachineinstancemigrations", "create", named=False),
    ),
    "Network.Assign": (Check(CNI, "network-attachment-definitions", "get", named=False),),
    "Datastore.AllocateSpace": (Check("", "persistentvolumeclaims", "create", named=False),),
    "Authorization.ModifyPermissions": (Check(RBAC, "rolebindings", "create", named=False),),
    "Authorization.ModifyRoles": (Check(RBAC, "roles", "create", named=False),),
}
"""vSphere privilege (or ``prefix.*``) -> its Kubernetes requests, ``implicit`` or ``none``."""

Kind = Literal["mapped", "implicit", "none"]


T = TypeVar("T")


def lookup_in(
    table: Mapping[str, tuple[T, ...] | Literal["implicit", "none"]], privilege: str
) -> tuple[Kind, tuple[T, ...]]:
    """What a privilege is in a privilege table (this module's or
    :mod:`app.parity.pve_privileges`'): the most specific entry, exact id first, then the
    longest ``prefix.*`` (``none`` when no entry covers it)."""
    entry = table.get(privilege)
    if entry is None:
        parts = privilege.split(".")
        for size in range(len(parts) - 1, 0, -1):
            entry = table.get(".".join(parts[:size]) + ".*")
            if entry is not None:
                break
    if entry is None or entry == "none":
        return "none", ()
    if entry == "implicit":
        return "implicit", ()
    return "mapped", entry


def lookup(privilege: str) -> tuple[Kind, tuple[Check, ...]]:
    """What a privilege is on a Kubernetes target (:data:`TABLE`)."""
    return lookup_in(TABLE, privilege)


@dataclass(frozen=True)
class RoleOnTarget:
    """A vSphere role's privileges, split by what the target can check."""

    checks: tuple[Check, ...]
    mapped: tuple[str, ...]
    implicit: tuple[str, ...]
    no_analogue: tuple[str, ...]


def translate(privileges: Iterable[str]) -> RoleOnTarget:
    """The target checks for a set of vSphere privileges, and the privileges with none."""
    checks: set[Check] = set()
    mapped: list[str] = []
    implicit: list[str] = []
    none: list[str] = []
    for privilege in sorted(set(privileges)):
        kind, found = lookup(privilege)
        {"mapped": mapped, "implicit": implicit, "none": none}[kind].append(privilege)
        checks.update(found)
    return RoleOnTarget(tuple(sorted(checks)), tuple(mapped), tuple(implicit), tuple(none))


VM_CONTROL: tuple[Check, ...] = (
    _vm("update"),
    _vm("patch"),
    _vm("delete"),
    _vm("update", "start", SUBRESOURCES),
    _vm("update", "stop", SUBRESOURCES),
    _vm("update", "restart", SUBRESOURCES),
    _vmi("get", "console"),
)
"""What "controls a VM" means for target-only authority (and for NoAccess: none of these)."""
