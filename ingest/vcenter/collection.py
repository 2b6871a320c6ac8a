"""The whole vCenter collection, in order: inventory and authorization (PropertyCollector),
storage policies (SPBM, for the VMs just seen), then tags (vAPI)."""

from __future__ import annotations

from typing import Any

from app.records import Record
from ingest.vcenter.collect import GapSink, Ids, Sink, collect_vcenter
from ingest.vcenter.connection import VCenterTarget
from ingest.vcenter.spbm import collect_storage_policies
from ingest.vcenter.tags import collect_tags


def collect_everything(
    service_instance: Any, target: VCenterTarget, sink: Sink, gap: GapSink
) -> None:
    """Collect one vCenter completely into ``sink``; unreadable parts go to ``gap``."""
    vm_ids: list[str] = []

    def keep(record: Record) -> None:
        if record.kind == "VirtualMachine":
            vm_ids.append(record.id)
        sink(record)

    vcenter = collect_vcenter(service_instance, keep, gap)
    ids = Ids(vcenter.instance_uuid)
    collect_storage_policies(service_instance, target, ids, vm_ids, sink, gap)
    collect_tags(target, ids, sink, gap)
