"""The BloodHound kinds of the export and the control edges effective privileges give.

Every kind carries the ``VS_`` namespace prefix (BloodHound's OpenGraph rules: an extension's
kinds are namespaced so they never collide with AD or Azure kinds). AD principals are not
exported as nodes: edges start at their SID, the object id SharpHound gave them.
"""

from __future__ import annotations

from collections.abc import Iterable

SOURCE_KIND = "VSphere"
"""``metadata.source_kind`` of the document (BloodHound groups nodes by it)."""

ENTITY = "VS_Entity"
"""Second kind of every vSphere object, so one query can match them all."""

PRINCIPAL = "VS_Principal"
"""Second kind of a principal of a domain authmap did not collect (vsphere.local...)."""

NODE_KINDS = {
    "VCenter": "VS_VCenter",
    "Datacenter": "VS_Datacenter",
    "Folder": "VS_Folder",
    "Cluster": "VS_Cluster",
    "Host": "VS_Host",
    "ResourcePool": "VS_ResourcePool",
    "VirtualMachine": "VS_VM",
    "Datastore": "VS_Datastore",
    "DatastoreCluster": "VS_DatastoreCluster",
    "Network": "VS_Network",
    "VirtualSwitch": "VS_VirtualSwitch",
}
"""authmap label -> BloodHound kind."""

ROLE = "VS_Role"
USER = "VS_User"
GROUP = "VS_Group"

HAS_PERMISSION = "VS_HasPermission"
CONTAINS = "VS_Contains"
POWER_OFF = "VS_CanPowerOff"
CONSOLE = "VS_CanConsole"
MODIFY_PERMISSIONS = "VS_CanModifyPermissions"
RECONFIGURE = "VS_CanReconfigure"
ADMIN_TO = "VS_AdminTo"

CONTROL_EDGES = (ADMIN_TO, MODIFY_PERMISSIONS, POWER_OFF, CONSOLE, RECONFIGURE)
"""The derived control edges, strongest first."""

POWER_OFF_PRIVILEGE = "VirtualMachine.Interact.PowerOff"
CONSOLE_PRIVILEGE = "VirtualMachine.Interact.ConsoleInteract"
MODIFY_PERMISSIONS_PRIVILEGE = "Authorization.ModifyPermissions"
RECONFIGURE_PREFIX = "VirtualMachine.Config."

DANGEROUS_PREFIXES = (
    "Authorization.",
    "VirtualMachine.Interact.",
    "VirtualMachine.Config.",
    "VirtualMachine.Provisioning.",
    "VirtualMachine.Inventory.",
    "VirtualMachine.State.",
    "Host.Config.",
    "Host.Local.",
    "Datastore.",
    "Cryptographer.",
    "Global.Settings",
    "Global.Licenses",
)
"""Privilege ids ``--privileges dangerous`` keeps: those that change who may do what, run,
change or read a VM's console and disks, or reconfigure hosts and storage."""


def dangerous(privilege: str) -> bool:
    """Whether ``--privileges dangerous`` keeps this privilege id."""
    return privilege.startswith(DANGEROUS_PREFIXES)


def control_edges(privileges: Iterable[str], entity_kind: str, admin: frozenset[str]) -> list[str]:
    """The derived control edges effective ``privileges`` on an entity of ``entity_kind``
    (an authmap label) give. ``admin`` is the Admin role's privileges: holding all of them
    (and at least one) is ``VS_AdminTo``. VM edges only land on virtual machines;
    ``VS_CanModifyPermissions`` on any object."""
    held = frozenset(privileges)
    edges = []
    if admin and admin <= held:
        edges.append(ADMIN_TO)
    if MODIFY_PERMISSIONS_PRIVILEGE in held:
        edges.append(MODIFY_PERMISSIONS)
    if entity_kind == "VirtualMachine":
        if POWER_OFF_PRIVILEGE in held:
            edges.append(POWER_OFF)
        if CONSOLE_PRIVILEGE in held:
            edges.append(CONSOLE)
        if any(p.startswith(RECONFIGURE_PREFIX) for p in held):
            edges.append(RECONFIGURE)
    return edges
