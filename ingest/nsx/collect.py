"""The live walk of an NSX manager's Policy API into records.

For the default tree (``/policy/api/v1/infra``) and every NSX 4.1+ project
(``/policy/api/v1/orgs/default/projects/<p>/infra``): Tier-0s (default tree only), Tier-1s,
segments, services, then per domain its groups (with their effective VM members), security
policies and gateway policies with their rules; finally the VM inventory with NSX tags. Every
list is read with cursor paging. A collection that fails (after retries for transient errors)
becomes a gap naming it, and the walk goes on: the snapshot is then partial, so its load
removes nothing. Objects ``marked_for_delete`` are skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from app.records import nsx as r
from app.records.contract import GapSink, Sink
from ingest.nsx import parse
from ingest.nsx.client import POLICY, NsxApiError, NsxClient

log = logging.getLogger(__name__)

VM_INVENTORY = "/infra/realized-state/enforcement-points/default/virtual-machines"
PROJECTS = "/orgs/default/projects"
POLICY_COLLECTIONS = (("distributed", "security-policies"), ("gateway", "gateway-policies"))


class _Walk:
    def __init__(self, client: NsxClient, ids: parse.Ids, sink: Sink, gap: GapSink) -> None:
        self.client = client
        self.ids = ids
        self.sink = sink
        self.gap = gap
        self.vms: dict[str, r.NsxVirtualMachine] = {}

    def items(
        self, path: str, what: str, entity: str | None, *, optional: bool = False
    ) -> Iterator[dict[str, Any]]:
        """Live objects of a list API; a failure becomes a gap (a 404 on an ``optional``
        collection means the manager's version has none)."""
        try:
            for item in self.client.items(POLICY + path):
                if parse.is_deleted(item):
                    log.debug("skipping %s: marked for delete", item.get("path"))
                    continue
                if "path" not in item:
                    continue
                yield item
        except NsxApiError as exc:
            if optional and exc.status == 404:
                log.debug("%s: %s not available (404)", self.client.where, path)
                return
            self.gap(what, self.client.scrub(str(exc)), entity)

    def tree(self, prefix: str, *, default: bool) -> None:
        ids, sink = self.ids, self.sink
        infra = f"{prefix}/infra"
        entity = prefix or None
        if default:
            for obj in self.items(f"{infra}/tier-0s", "NsxTier0", entity):
                sink(parse.tier0(obj, ids))
        for obj in self.items(f"{infra}/tier-1s", "NsxTier1", entity):
            sink(parse.tier1(obj, ids))
        for obj in self.items(f"{infra}/segments", "NsxSegment", entity):
            sink(parse.segment(obj, ids))
        for obj in self.items(f"{infra}/services", "NsxService", entity):
            sink(parse.service(obj, ids))
        for domain in self.items(f"{infra}/domains", "NsxGroup", entity):
            self.domain(prefix, str(domain["id"]))

    def domain(self, prefix: str, domain_id: str) -> None:
        ids, sink = self.ids, self.sink
        base = f"{prefix}/infra/domains/{quote(domain_id, safe='')}"
        for obj in self.items(f"{base}/groups", "NsxGroup", base):
            members = self.members(f"{base}/groups/{quote(str(obj['id']), safe='')}", obj)
            sink(parse.group(obj, ids, members))
        for kind, collection in POLICY_COLLECTIONS:
            for obj in self.items(f"{base}/{collection}", "NsxSecurityPolicy", base):
                sink(parse.policy(obj, ids, kind))
                rules = f"{base}/{collection}/{quote(str(obj['id']), safe='')}/rules"
                for rule in self.items(rules, "NsxRule", str(obj["path"])):
                    sink(parse.rule(rule, ids, str(obj["path"])))

    def members(self, group: str, obj: dict[str, Any]) -> list[str] | None:
        """NSX's effective VM members (``None`` when they could not be read: a gap)."""
        found: list[str] = []
        try:
            for vm in self.client.items(f"{POLICY}{group}/members/virtual-machines"):
                record = parse.virtual_machine(vm, self.ids)
                if record is not None:
                    self.vms.setdefault(record.id, record)
                    found.append(record.id)
        except NsxApiError as exc:
            self.gap("NsxGroup members", self.client.scrub(str(exc)), str(obj["path"]))
            return None
        return found

    def inventory(self) -> None:
        try:
            for vm in self.client.items(POLICY + VM_INVENTORY):
                record = parse.virtual_machine(vm, self.ids)
                if record is not None:
                    self.vms[record.id] = record  # the inventory has the tags
        except NsxApiError as exc:
            self.gap("NsxVirtualMachine", self.client.scrub(str(exc)), None)
        for record in sorted(self.vms.values(), key=lambda vm: vm.id):
            self.sink(record)


def collect_nsx(client: NsxClient, source: str, sink: Sink, gap: GapSink) -> None:
    """Walk a logged-in manager into ``sink`` (records) and ``gap`` (what could not be read).

    ``source`` is the snapshot's source id (see :func:`ingest.nsx.parse.source_id`)."""
    walk = _Walk(client, parse.Ids(source), sink, gap)
    walk.tree("", default=True)
    projects: list[r.NsxProject] = []
    for obj in walk.items(PROJECTS, "NsxProject", None, optional=True):
        if str(obj.get("id")) == "default":
            continue  # the default project is the /infra tree walked above
        projects.append(parse.project(obj, walk.ids))
    for project in projects:
        sink(project)
        walk.tree(project.path, default=False)
    walk.inventory()
