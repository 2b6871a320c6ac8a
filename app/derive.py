"""Derivation: what the graph concludes from the loaded sources, re-run after every load.

Today: resolve vCenter permission principals against the collected directory
(``cypher/derive/resolve_principals.cypher``). Decisions join here (issue 5).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.graph import Graph


@dataclass
class DeriveReport:
    """Counts per derived outcome."""

    principals: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        """One line for people."""
        if not self.principals:
            return "Derived: no vCenter permissions to resolve."
        parts = ", ".join(f"{n} {status}" for status, n in sorted(self.principals.items()))
        return f"Derived: permission principals {parts}."


def run_derive(graph: Graph) -> DeriveReport:
    """Run every derivation against the current graph (idempotent)."""
    rows = graph.write("derive/resolve_principals", {"aliases": graph.settings.ad_domain_aliases})
    return DeriveReport(principals={str(r["status"]): int(r["count"]) for r in rows})
