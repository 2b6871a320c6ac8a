"""Proxmox VE, a migration target: guests, pools, storage, access, HA, firewall and SDN.

``open_proxmox(ProxmoxOptions(...))`` (:mod:`ingest.proxmox.source`) returns the collector;
``app.sync`` writes what it streams. docs/proxmox.md says what the reader needs.
"""

from ingest.proxmox.client import ProxmoxOptions

__all__ = ["ProxmoxOptions"]
