"""How the HTTP collectors (Kubernetes, NSX, Proxmox VE) retry: the statuses that mean "try
again shortly", how many tries, and the wait between them."""

from __future__ import annotations

ATTEMPTS = 3
"""Tries of one request before its failure counts."""
RETRY_WAIT_S = 0.5
"""Wait before the next try (the Kubernetes client multiplies it by the try's number)."""
TRANSIENT_STATUS = frozenset({429, 502, 503, 504})
"""HTTP statuses retried: rate limited, or a proxy or server briefly unavailable."""
