"""The vCenter collector (pyVmomi): one PropertyCollector pass over the inventory, plus the
authorization manager, into records. Knows nothing of Neo4j."""

from ingest.vcenter.collect import collect_vcenter
from ingest.vcenter.connection import VCenterConnectionError, VCenterTarget, connect

__all__ = ["VCenterConnectionError", "VCenterTarget", "collect_vcenter", "connect"]
