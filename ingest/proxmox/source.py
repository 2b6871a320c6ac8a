"""The Proxmox VE source: :func:`open_proxmox` reads :class:`ProxmoxOptions` and returns an open
:class:`ProxmoxCollector` (logged in, the cluster's identity already read)."""

from __future__ import annotations

from ingest.proxmox.client import ProxmoxOptions
from ingest.proxmox.collect import ProxmoxCollector


def open_proxmox(options: ProxmoxOptions) -> ProxmoxCollector:
    """Connect and read the cluster's identity; raise
    :class:`~ingest.proxmox.client.PveConnectionError` (a ``SourceError``) with one clear line
    when the cluster cannot be used."""
    return ProxmoxCollector.open(options)
