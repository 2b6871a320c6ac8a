"""``can-reach`` questions against the graph: VM names resolved, the engine's decision as
the JSON the CLI and the API return."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.graph import Graph
from app.network.estate import load_estate
from app.network.model import Estate, NetVm
from app.network.reachability import Decision, RuleCheck, can_reach
from app.network.services import parse_probe


class ReachQueryError(ValueError):
    """A question that cannot be answered as asked (no such VM, an ambiguous name, a bad
    port); ``status`` is the HTTP status it maps to."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def find_vm(graph: Graph, estate: Estate, ref: str) -> NetVm:
    """The VM named (or identified) by ``ref``."""
    rows = graph.read("network/find_vm", {"ref": ref})
    ids = sorted({str(r["id"]) for r in rows})
    if not ids:
        raise ReachQueryError(
            f"no VM named {ref!r} (name, vCenter id, moref or instance UUID)", 404
        )
    if len(ids) > 1:
        raise ReachQueryError(f"{ref!r} names {len(ids)} VMs ({', '.join(ids[:5])}): give its id")
    vm = estate.vms.get(ids[0])
    if vm is None:
        raise ReachQueryError(f"{ref!r} is a template or not a VM the network engine reads", 404)
    return vm


def _rule(check: RuleCheck | None) -> dict[str, Any] | None:
    if check is None:
        return None
    return {
        "id": check.rule,
        "name": check.name,
        "policy": check.policy,
        "category": check.category,
        "sequence": check.sequence,
    }


def _step(check: RuleCheck) -> dict[str, Any]:
    return {**(_rule(check) or {}), "at": check.at, "outcome": check.outcome, "why": check.why}


def to_dict(decision: Decision, src: NetVm, dst: NetVm, asked: str | None) -> dict[str, Any]:
    """The answer as JSON: verdict, deciding rule, explanation."""
    return {
        "from": {"id": src.id, "name": src.name},
        "to": {"id": dst.id, "name": dst.name},
        "service": asked or "any",
        "verdict": decision.verdict,
        "decided_for": decision.probe.label,
        "allowed_services": list(decision.allowed),
        "rule": _rule(decision.rule),
        "explanation": [_step(c) for c in decision.explanation],
        "notes": list(decision.notes),
    }


@dataclass
class ReachQuery:
    """One question: from, to, and an optional ``N/tcp`` / ``N/udp`` / ``icmp``."""

    source: str
    destination: str
    port: str | None = None

    def answer(self, graph: Graph) -> dict[str, Any]:
        """Resolve, decide, and return the JSON answer."""
        try:
            probe = parse_probe(self.port) if self.port else None
        except ValueError as exc:
            raise ReachQueryError(str(exc)) from None
        estate = load_estate(graph)
        src = find_vm(graph, estate, self.source)
        dst = find_vm(graph, estate, self.destination)
        return to_dict(can_reach(estate, src, dst, probe), src, dst, self.port)
