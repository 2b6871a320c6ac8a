"""The Proxmox VE collector: opens a cluster's API and streams its records.

Opening reads ``/version`` and ``/cluster/status`` (the cluster's name is its identity); a
server that cannot be reached, refuses the credentials (401) or forbids that read (403)
raises :class:`PveConnectionError` before anything is collected. Then inventory, access, HA,
firewall and SDN are read. A read that fails (403, 5xx) becomes a gap and the run is partial;
an endpoint this PVE version does not have (404: ``/cluster/ha/rules`` before PVE 9) is simply
absent. PVE *filters* many lists to what the caller may see instead of refusing them, so the
collector also reads its own privileges on ``/`` (``/access/permissions``) and records a gap
for each list it cannot see whole (the reader needs ``PVEAuditor`` on ``/``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from app.records import proxmox as r
from app.records.contract import CollectorBase, GapSink, Sink, SourceIdentity
from ingest.proxmox import parse, parse_policy
from ingest.proxmox.client import ProxmoxOptions, PveApiError, PveClient, PveConnectionError

log = logging.getLogger(__name__)

NEEDED_ON_ROOT = {
    "VM.Audit": "guests (/cluster/resources and their configurations)",
    "Sys.Audit": "nodes, HA, firewall and the full ACL list",
    "Datastore.Audit": "storage (/storage)",
    "Pool.Audit": "pools (/pools)",
    "SDN.Audit": "SDN zones and VNets",
}
"""Privileges the reader needs on ``/`` (propagated) to see each list whole."""


class PveServerError(RuntimeError):
    """The server failed mid-run (HTTP 5xx): the run fails, the graph is left as it was."""


class ProxmoxCollector(CollectorBase):
    """An open cluster (implements :class:`app.records.contract.Collector`)."""

    def __init__(self, client: PveClient) -> None:
        self.client = client
        version = self._identity_read("/version")
        status = self._identity_read("/cluster/status")
        self.cluster = parse_policy.cluster(client.where, version, status)
        self.ids = parse.Ids(self.cluster.id)
        self.status = status
        self._qemu: list[tuple[str, int]] = []

    @classmethod
    def open(cls, options: ProxmoxOptions) -> ProxmoxCollector:
        """Connect, log in and read the cluster's identity."""
        client = PveClient(options)
        try:
            return cls(client)
        except BaseException:
            client.close()
            raise

    def _identity_read(self, path: str) -> Any:
        try:
            return self.client.get(path)
        except PveApiError as exc:
            where = self.client.where
            if exc.status == 401:
                raise PveConnectionError(
                    f"{where} refused the credentials (HTTP 401 authentication failure)"
                ) from exc
            if exc.status == 403:
                raise PveConnectionError(
                    f"{where}: forbidden to read {path}, which identifies the cluster (the "
                    "reader needs the PVEAuditor role on /, see docs/proxmox.md)"
                ) from exc
            raise PveConnectionError(f"{where}: {exc}") from exc

    @property
    def identity(self) -> SourceIdentity:
        """``proxmox`` / ``pve:<cluster name>``, named by the server address."""
        return SourceIdentity(kind="proxmox", id=self.cluster.id, name=self.client.where)

    @property
    def where(self) -> str:
        """The server address (never the token or password)."""
        return self.client.where

    def read(self, path: str, what: str, gap: GapSink, optional: bool = False) -> Any:
        """``GET path``, or ``None`` after recording a gap (``optional``: 404 is no gap). A
        server error (5xx, after the client's retries of transient ones) ends the run: the
        answers so far cannot be trusted to be whole, so the run fails and nothing is
        written."""
        try:
            return self.client.get(path)
        except PveApiError as exc:
            if exc.status is not None and exc.status >= 500:
                raise PveServerError(f"{self.where}: {exc}") from None
            if optional and exc.status == 404:
                log.debug("%s: %s does not exist on this version", self.where, path)
                return None
            gap(what, str(exc), path)
            return None

    def collect(self, sink: Sink, gap: GapSink) -> None:
        """Stream the cluster and everything read from it into ``sink``."""
        sink(self.cluster)
        self._check_privileges(gap)
        for node in parse_policy.nodes(self.status, self.ids, self.cluster.id):
            sink(node)
        for guest in self._guests(gap):
            sink(guest)
        for reader in (
            parse_policy.read_storage,
            parse_policy.read_realms,
            parse_policy.read_access,
            parse_policy.read_ha,
            parse_policy.read_firewall,
            parse_policy.read_sdn,
        ):
            for record in reader(self, gap):
                sink(record)

    def _check_privileges(self, gap: GapSink) -> None:
        granted = self.read("/access/permissions?path=/", "reader privileges", gap) or {}
        held = set((granted.get("/") or {}).keys())
        for privilege, lists in NEEDED_ON_ROOT.items():
            if privilege not in held:
                gap(
                    "privileges",
                    f"no {privilege} on /: {lists} may be filtered by PVE (incomplete)",
                    "/",
                )

    def cluster_nodes(self) -> list[str]:
        """The names of the cluster's nodes."""
        return [str(e["name"]) for e in self.status if e.get("type") == "node"]

    def qemu_guests(self) -> list[tuple[str, int]]:
        """``(/nodes/<node>/qemu/<vmid>, vmid)`` of every VM read so far."""
        return list(self._qemu)

    def _guests(self, gap: GapSink) -> Iterator[r.PveGuest]:
        resources = self.read("/cluster/resources", "guests", gap) or []
        for row in resources:
            if row.get("type") not in ("qemu", "lxc") or "vmid" not in row:
                continue
            path = f"/nodes/{row['node']}/{row['type']}/{row['vmid']}/config"
            config = self.read(path, "guest configuration", gap)
            if row["type"] == "qemu":
                self._qemu.append((path.rsplit("/", 1)[0], int(row["vmid"])))
            try:
                yield parse.guest(row, config or {}, self.ids, self.cluster.id)
            except (ValueError, KeyError, TypeError) as exc:
                gap("guest", f"cannot read guest {row['vmid']}: {type(exc).__name__}", path)

    def close(self) -> None:
        """Release the connection (safe to call twice)."""
        self.client.close()
