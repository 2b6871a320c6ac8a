"""The vCenter source: :func:`open_vcenter` connects with :class:`VCenterOptions`, reads the
vCenter's identity (its instanceUuid) and returns a :class:`VCenterCollector` that runs the
whole collection (:func:`collect_everything`) in order: inventory and authorization
(PropertyCollector), alarm definitions and notification routes (same session), storage
policies (SPBM, for the VMs just seen), then tags (vAPI)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.records import Record
from app.records.contract import CollectorBase, GapSink, Sink, SourceIdentity
from ingest.vcenter.alarms import collect_alarms
from ingest.vcenter.connection import VCenterTarget, connect, disconnect
from ingest.vcenter.ids import Ids
from ingest.vcenter.inventory import collect_vcenter
from ingest.vcenter.routes import collect_routes
from ingest.vcenter.spbm import collect_storage_policies
from ingest.vcenter.tags import collect_tags


@dataclass(frozen=True)
class VCenterOptions:
    """How to reach one vCenter. ``password`` never appears in ``repr``."""

    server: str
    """``HOST[:PORT]``."""
    user: str
    password: str = field(repr=False)
    ca_file: Path | None = None
    insecure: bool = False


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


class VCenterCollector(CollectorBase):
    """A logged-in vCenter session (see :func:`open_vcenter`)."""

    def __init__(self, service_instance: Any, target: VCenterTarget) -> None:
        self.service_instance = service_instance
        self.target = target
        about = service_instance.RetrieveContent().about
        self._identity = SourceIdentity(kind="vcenter", id=about.instanceUuid, name=target.server)
        self._closed = False

    @property
    def identity(self) -> SourceIdentity:
        """``vcenter`` / the instanceUuid / the server name."""
        return self._identity

    @property
    def where(self) -> str:
        """The server name."""
        return self.target.server

    def collect(self, sink: Sink, gap: GapSink) -> None:
        """The whole collection (:func:`collect_everything`)."""
        collect_everything(self.service_instance, self.target, sink, gap)

    def close(self) -> None:
        """Log out (once)."""
        if not self._closed:
            self._closed = True
            disconnect(self.service_instance)


def open_vcenter(options: VCenterOptions) -> VCenterCollector:
    """Log in and read the vCenter's identity; raise
    :class:`~ingest.vcenter.connection.VCenterConnectionError` (a ``SourceError``) or
    :class:`~ingest.tls.TlsError` with one clear line."""
    target = VCenterTarget.parse(
        options.server,
        options.user,
        options.password,
        ca_file=options.ca_file,
        insecure=options.insecure,
    )
    service_instance = connect(target)
    try:
        return VCenterCollector(service_instance, target)
    except BaseException:
        disconnect(service_instance)
        raise
