"""The Python steps of the NSX derivation, run before the Cypher file named for them
(:func:`app.derive.run_derive`): group memberships (``HAS_MEMBER``), then the dependency map
with precedence (``REACHES``) and the VMs each rule decides (``GOVERNS``)."""

from __future__ import annotations

from collections.abc import Callable

from app.graph import Graph
from app.network.dependencies import dependency_map
from app.network.estate import derive_memberships, load_estate


def derive_reachability(graph: Graph, run: str) -> dict[str, int]:
    """Evaluate every pair and write ``REACHES``; counts for the report. Not yet wired into
    :data:`NSX_STEPS` (GOVERNS still comes from ``30_rule_vms``)."""
    estate = load_estate(graph)
    found = dependency_map(estate)
    rules = {r.path: r.name for policy in estate.policies for r in policy.rules}
    graph.write("network/clear_reach")
    rows: list[dict[str, object]] = []
    for (src, dst), allowed in sorted(found.reaches.items()):
        services = sorted(allowed)
        rows.append(
            {
                "from": src,
                "to": dst,
                "services": services,
                "rules": [allowed[s] for s in services],
                "rule_names": [rules.get(allowed[s], allowed[s]) for s in services],
            }
        )
    reaches = graph.write_rows("network/write_reaches", rows, {"run": run})
    return {
        "network_vm_classes": found.classes,
        "network_reaches": reaches.totals.get("reaches", 0),
    }


def derive_network(graph: Graph, run: str) -> dict[str, int]:
    """Memberships first (the map reads them through the estate), then the map."""
    return {**derive_memberships(graph, run), **derive_reachability(graph, run)}


NSX_STEPS: dict[str, Callable[[Graph, str], dict[str, int]]] = {
    "30_rule_vms": derive_memberships,
}
"""Step by the name of the ``derive/nsx`` file it runs before."""
