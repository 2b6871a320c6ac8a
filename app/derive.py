"""Derivation: what the graph concludes from the loaded sources, re-run after every load.

1. Resolve vCenter permission principals against the collected directory
   (``cypher/derive/resolve_principals.cypher``), and link runbooks to the source objects
   they name (``cypher/derive/runbook_references.cypher``), and rebuild the permission
   inheritance edges the effective-permissions engine walks (``cypher/derive/inheritance/``).
   NSX: match NSX VMs to vCenter VMs, find the VMs each firewall rule governs and
   derive the group-to-group dependency map (``cypher/derive/nsx/*.cypher``).
2. Turn source configuration into ``Decision`` nodes (``cypher/derive/decisions/*.cypher``,
   in file-name order): each with a stable id from its source objects, a category, a kind, a
   one-sentence summary, ``EVIDENCE`` links to its source objects and ``AFFECTS`` links to the
   VMs whose behaviour depends on it. Blast radii too large for one transaction (alarms on
   the root folder reach every VM) are linked afterwards, a few decisions per transaction
   (``cypher/derive/links/*.cypher``).
3. Retire the decisions this run did not produce (their source vanished): never deleted.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from app.graph import Graph
from app.network.derive import NSX_STEPS

DECISIONS = "derive/decisions"
LINKS = "derive/links"
"""AFFECTS links written in transactions of their own (CALL ... IN TRANSACTIONS)."""
NSX = "derive/nsx"
"""NSX VM matching, the VMs each rule governs and the group dependency map (in name order)."""
INHERITANCE = "derive/inheritance"


@dataclass
class DeriveReport:
    """What a derive run did."""

    run: str = ""
    principals: dict[str, int] = field(default_factory=dict)
    decisions: dict[str, int] = field(default_factory=dict)
    retired: int = 0
    runbook_references: int = 0
    nsx: dict[str, int] = field(default_factory=dict)
    """Per ``derive/nsx`` file: its first count (VMs linked, rules, dependencies...)."""

    def summary(self) -> str:
        """One line for people."""
        parts = ", ".join(f"{n} {status}" for status, n in sorted(self.principals.items()))
        principals = f"permission principals {parts}; " if parts else ""
        return (
            f"Derived: {principals}{sum(self.decisions.values())} decisions"
            f"{f', {self.retired} retired' if self.retired else ''}."
        )


def run_derive(graph: Graph) -> DeriveReport:
    """Run every derivation against the current graph (idempotent)."""
    report = DeriveReport(run=uuid.uuid4().hex)
    rows = graph.write("derive/resolve_principals", {"aliases": graph.settings.ad_domain_aliases})
    report.principals = {str(r["status"]): int(r["count"]) for r in rows}
    references = graph.write("derive/runbook_references")
    report.runbook_references = int(references[0]["references"] or 0) if references else 0
    for name in graph.library.names(NSX):
        step = NSX_STEPS.get(name.rsplit("/", 1)[-1])
        if step is not None:  # a Python derivation the next file reads (app/network)
            report.nsx.update(step(graph, report.run))
        result = graph.write(name, {"run": report.run})
        first = next(iter(result[0].values()), 0) if result else 0
        report.nsx[name.rsplit("/", 1)[-1]] = int(first or 0)
    graph.write_chunked(f"{INHERITANCE}/10_clear", {})
    graph.write(f"{INHERITANCE}/20_parents")
    graph.write(f"{INHERITANCE}/30_holders")
    names = [n for n in graph.library.names(DECISIONS) if not n.endswith("/99_retire")]
    for name in names:
        result = graph.write(name, {"run": report.run})
        report.decisions[name.rsplit("/", 1)[-1]] = int(result[0]["decisions"]) if result else 0
    for name in graph.library.names(LINKS):  # blast radii too large for one transaction
        graph.write_in_transactions(name)
    retired = graph.write(f"{DECISIONS}/99_retire", {"run": report.run})
    report.retired = int(retired[0]["retired"]) if retired else 0
    return report
