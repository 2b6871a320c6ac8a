"""Records read from a Proxmox VE cluster, a migration target. Access, HA, firewall and SDN
records are in :mod:`app.records.proxmox_policy`.

The source id is ``pve:<cluster name>`` (``pve:node:<node>`` for a single node without a
cluster): the name a cluster is created with cannot be changed, whatever address it is reached
by. Object ids are ``<source id>:<Kind>:<key>`` (:func:`object_id`), the key being the object's
own id in the API (a vmid, a storage id, a user id, an ACL's path, type, subject and role), so a
re-ingest re-attaches to the same nodes. Fields that reference another record hold that
record's id. Sizes are kept in bytes, memory in MiB as PVE writes it.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.records.base import Record


def source_id(cluster_name: str) -> str:
    """The source id of a cluster, from its name."""
    return f"pve:{cluster_name}"


def object_id(source: str, kind: str, key: str | int) -> str:
    """The record id of an object: ``<source>:<Kind>:<key>``."""
    return f"{source}:{kind}:{key}"


class PveNested(BaseModel):
    """Base of the value objects nested in records (stored as JSON text on the node)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class PveNic(PveNested):
    """A guest network device (``net0: virtio=MAC,bridge=vnet20,tag=20,firewall=1``)."""

    slot: str
    model: str | None = None
    mac: str | None = None
    """Upper-case, colon-separated, as PVE writes it."""
    bridge: str | None = None
    """A Linux bridge (``vmbr0``) or an SDN VNet."""
    tag: int | None = None
    firewall: bool = False


class PveDisk(PveNested):
    """A guest disk (``scsi0: ceph-gold:vm-103-disk-0,iops_rd=500,…``) with its I/O limits."""

    slot: str
    storage: str | None = None
    """The storage id (``ceph-gold``); ``None`` for a path or a passed-through device."""
    volume: str
    size: str | None = None
    limits: dict[str, float] = Field(default_factory=dict)
    """``iops``, ``iops_rd``, ``iops_wr``, ``mbps``, ``mbps_rd``, ``mbps_wr`` where set."""


class PveRecord(Record):
    """Base of every Proxmox record."""

    source_kind: ClassVar[str] = "proxmox"


class PveCluster(PveRecord):
    """The cluster (or single node) read, with its version."""

    kind: Literal["PveCluster"] = "PveCluster"
    name: str
    server: str
    """The API address it was read from (no credentials)."""
    version: str
    release: str
    quorate: bool | None = None
    node_count: int


class PveNode(PveRecord):
    """A cluster node."""

    kind: Literal["PveNode"] = "PveNode"
    cluster: str
    name: str
    online: bool
    ip: str | None = None
    max_cpu: int | None = None
    max_mem_bytes: int | None = None


class PveGuest(PveRecord):
    """A VM (``qemu``) or container (``lxc``) with the configuration parity reads."""

    kind: Literal["PveGuest"] = "PveGuest"
    cluster: str
    vmid: int
    guest_type: Literal["qemu", "lxc"]
    name: str
    on_node: str
    """The node record's id."""
    status: str | None = None
    template: bool = False
    smbios_uuid: str | None = None
    """``smbios1`` ``uuid=`` (lower case): what an import keeps of the vSphere BIOS UUID."""
    macs: list[str] = Field(default_factory=list)
    nics: list[PveNic] = Field(default_factory=list)
    disks: list[PveDisk] = Field(default_factory=list)
    storages: list[str] = Field(default_factory=list)
    """Storage record ids of its disks."""
    cores: int | None = None
    sockets: int | None = None
    memory_mib: int | None = None
    balloon_mib: int | None = None
    cpulimit: float | None = None
    """Host CPUs' worth of time the guest may use (0 or unset: unlimited)."""
    cpuunits: int | None = None
    """Relative CPU weight (the analogue of vSphere shares); unset: PVE's default."""
    tags: list[str] = Field(default_factory=list)
    in_pool: str | None = None
    """The pool record's id."""
    onboot: bool | None = None


class PvePool(PveRecord):
    """A resource pool (a container for guests and storage, the target of ``/pool/{id}``)."""

    kind: Literal["PvePool"] = "PvePool"
    cluster: str
    name: str
    comment: str | None = None
    storages: list[str] = Field(default_factory=list)


class PveStorage(PveRecord):
    """A storage definition (``/storage``)."""

    kind: Literal["PveStorage"] = "PveStorage"
    cluster: str
    name: str
    storage_type: str
    content: list[str] = Field(default_factory=list)
    shared: bool | None = None
    pool_name: str | None = None
    """The Ceph/ZFS pool behind an ``rbd``/``zfspool`` storage (not a PVE pool)."""
    disabled: bool = False
