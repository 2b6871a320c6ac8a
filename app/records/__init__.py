"""Typed records: what collectors produce and snapshots hold.

Each record class has a ``kind`` (a ``Literal`` naming it) and a stable ``id`` derived from the
source's own identity. Records know nothing of Neo4j; ``app.graph.model`` binds them to labels.
"""

from app.records import (
    ad,
    kubernetes,
    kubernetes_policy,
    nsx,
    proxmox,
    proxmox_policy,
    runbooks,
    vcenter,
)
from app.records.base import RECORD_TYPES, Record, record_type
from app.records.vcenter import Datacenter, Folder, VCenter, VirtualMachine

__all__ = [
    "RECORD_TYPES",
    "Datacenter",
    "Folder",
    "Record",
    "VCenter",
    "VirtualMachine",
    "ad",
    "kubernetes",
    "kubernetes_policy",
    "nsx",
    "proxmox",
    "proxmox_policy",
    "record_type",
    "runbooks",
    "vcenter",
]
