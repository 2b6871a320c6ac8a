"""The vCenter collector (pyVmomi): one PropertyCollector pass over the inventory, plus the
authorization manager, alarms, storage policies and tags, into records. Knows nothing of
Neo4j. Entry point: :func:`open_vcenter` with :class:`VCenterOptions`."""

from ingest.vcenter.connection import VCenterConnectionError, VCenterTarget, connect
from ingest.vcenter.inventory import collect_vcenter
from ingest.vcenter.source import VCenterCollector, VCenterOptions, open_vcenter

__all__ = [
    "VCenterCollector",
    "VCenterConnectionError",
    "VCenterOptions",
    "VCenterTarget",
    "collect_vcenter",
    "connect",
    "open_vcenter",
]
