"""The whole vCenter collection, in order: inventory and authorization (PropertyCollector),
alarm definitions and notification routes (same session, same snapshot), storage policies
(SPBM, for the VMs just seen), then tags (vAPI)."""

from __future__ import annotations

from typing import Any

from app.records import Record
from ingest.vcenter.alarms import collect_alarms
from ingest.vcenter.collect import GapSink, Ids, Sink, collect_vcenter
from ingest.vcenter.connection import VCenterTarget
from ingest.vcenter.options import collect_routes
from ingest.vcenter.spbm import collect_storage_policies
from ingest.vcenter.tags import collect_tags


def collect_everything(
    service_instance: Any, target: VCenterTarget, sink: Sink, gap: GapSink
) -> None:
    """Collect one vCenter completely into ``sink``; unreadable parts go to ``gap``."""
    vm_ids: list[str] = []
    host_options: dict[str, tuple[str, Any]] = {}

    def keep(record: Record) -> None:
        if record.kind == "VirtualMachine":
            vm_ids.append(record.id)
        sink(record)

    vcenter = collect_vcenter(service_instance, keep, gap, host_options)
    ids = Ids(vcenter.instance_uuid)
    content = service_instance.RetrieveContent()
    collect_alarms(content, ids, sink, gap)
    collect_routes(content, ids, host_options, sink, gap)
    collect_storage_policies(service_instance, target, ids, vm_ids, sink, gap)
    collect_tags(target, ids, sink, gap)
