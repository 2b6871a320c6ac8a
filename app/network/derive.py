"""The Python steps of the NSX derivation, run before the Cypher file they feed
(:func:`app.derive.run_derive`): group memberships before ``30_rule_vms``."""

from __future__ import annotations

from collections.abc import Callable

from app.graph import Graph
from app.network.estate import derive_memberships

NSX_STEPS: dict[str, Callable[[Graph, str], dict[str, int]]] = {
    "30_rule_vms": derive_memberships,
}
"""Step by the name of the ``derive/nsx`` file it runs before."""
