"""The shapes parity works with on a Proxmox VE target (read by :mod:`app.parity.pve_target`).

A PVE guest is a :class:`PveVM`: a :class:`app.parity.model.TargetVM` (so VM mapping treats
both platforms alike: its ``firmware_uuid`` is the ``smbios1`` uuid) with what the Proxmox
rules compare. The rest of the cluster (HA, VNets, storages, access) is a :class:`PveTarget`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.parity.model import TargetRef, TargetVM
from app.parity.pve_acl import AccessConfig
from app.records.proxmox import PveDisk, PveNic


def pve_name(name: str) -> str:
    """A VM name as Proxmox's ESXi import writes it (``PVE::Storage::ESXiPlugin``: blanks to
    ``-``, characters other than ``a-zA-Z0-9-.`` dropped, leading and trailing ``.``/``-``
    dropped), lower case: ``DC0_C0 VM 3`` -> ``dc0c0-vm-3``."""
    text = re.sub(r"\s", "-", name)
    text = re.sub(r"[^a-zA-Z0-9\-.]", "", text)
    return text.strip(".-").lower()


@dataclass(frozen=True)
class PveVM(TargetVM):
    """A PVE guest (``qemu`` VM or ``lxc`` container) as parity sees it."""

    vmid: int = 0
    guest_type: str = "qemu"
    node: str | None = None
    pool: str | None = None
    nics: tuple[PveNic, ...] = ()
    disks: tuple[PveDisk, ...] = ()
    cpulimit: float | None = None
    cpuunits: int | None = None
    memory_mib: int | None = None
    balloon_mib: int | None = None
    ha_id: str | None = None
    ha_state: str | None = None
    """The HA resource's requested state (``started``, ``stopped``, ``disabled``,
    ``ignored``); ``None``: not an HA resource."""
    ha_group: str | None = None

    @property
    def ref(self) -> str:
        """``name (vmid)``: how reports name a guest."""
        return f"{self.name} ({self.vmid})"

    @property
    def sid(self) -> str:
        """The HA service id: ``vm:101`` or ``ct:200``."""
        return f"{'ct' if self.guest_type == 'lxc' else 'vm'}:{self.vmid}"

    @property
    def path(self) -> str:
        """The guest's ACL path: ``/vms/101``."""
        return f"/vms/{self.vmid}"

    def aliases(self) -> set[str]:
        """What a map file may call this guest: ``name (vmid)``, the vmid, the name."""
        return {self.ref, str(self.vmid), self.name}

    def evidence(self, detail: str | None = None) -> TargetRef:
        """This guest as evidence."""
        return TargetRef("PveGuest", self.id, self.ref, detail)


@dataclass(frozen=True)
class PveHaRule:
    """A PVE 9 HA rule: ``node-affinity`` (``nodes`` with priorities, ``strict``) or
    ``resource-affinity`` (``affinity`` positive: together, negative: apart)."""

    id: str
    name: str
    rule_type: str
    guests: frozenset[str]
    """Guest record ids."""
    nodes: dict[str, int] = field(default_factory=dict)
    strict: bool = False
    affinity: str | None = None
    disabled: bool = False

    def evidence(self, detail: str | None = None) -> TargetRef:
        """This rule as evidence."""
        return TargetRef("PveHaRule", self.id, self.name, detail or self.rule_type)


@dataclass(frozen=True)
class PveHaGroup:
    """A PVE 8 HA group: the nodes its resources may (``restricted``) or prefer to run on."""

    id: str
    name: str
    nodes: dict[str, int] = field(default_factory=dict)
    restricted: bool = False

    def evidence(self, detail: str | None = None) -> TargetRef:
        """This group as evidence."""
        return TargetRef("PveHaGroup", self.id, self.name, detail)


@dataclass(frozen=True)
class PveVnet:
    """An SDN VNet and its VLAN tag."""

    id: str
    name: str
    tag: int | None = None

    def evidence(self, detail: str | None = None) -> TargetRef:
        """This VNet as evidence."""
        return TargetRef("PveVnet", self.id, self.name, detail)


@dataclass(frozen=True)
class PveStorageRef:
    """A storage definition."""

    id: str
    name: str
    storage_type: str | None = None

    def evidence(self, detail: str | None = None) -> TargetRef:
        """This storage as evidence."""
        return TargetRef("PveStorage", self.id, self.name, detail or self.storage_type)


@dataclass(frozen=True)
class PveUserRef:
    """A PVE user (``alice@corp``) and its realm."""

    userid: str
    enabled: bool = True

    @property
    def realm(self) -> str:
        """The part after the last ``@``."""
        return self.userid.rsplit("@", 1)[1] if "@" in self.userid else ""

    @property
    def name(self) -> str:
        """The part before the last ``@``."""
        return self.userid.rsplit("@", 1)[0]


@dataclass(frozen=True)
class PveRealmRef:
    """An authentication realm (``pam``, ``pve``, ``ad``, ``ldap``, ``openid``)."""

    name: str
    realm_type: str
    domain: str | None = None


@dataclass
class PveTarget:
    """Everything of one PVE cluster the Proxmox rules look at besides its guests."""

    major: int
    """The PVE major version (8: HA groups, 9: HA rules)."""
    nodes: list[str] = field(default_factory=list)
    ha_rules: list[PveHaRule] = field(default_factory=list)
    ha_groups: dict[str, PveHaGroup] = field(default_factory=dict)
    vnets: dict[str, PveVnet] = field(default_factory=dict)
    storages: dict[str, PveStorageRef] = field(default_factory=dict)
    access: AccessConfig = field(default_factory=lambda: AccessConfig((), {}))
    users: list[PveUserRef] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    realms: dict[str, PveRealmRef] = field(default_factory=dict)
    acl_ids: dict[tuple[str, str, str, str], str] = field(default_factory=dict)
    """``(path, type, subject, role)`` -> the ACL entry's record id (evidence)."""

    @property
    def has_ha_rules(self) -> bool:
        """HA rules exist from PVE 9 on."""
        return self.major >= 9
