"""The dependency map with precedence: for every ordered pair of VMs and every kind of traffic
the rules tell apart, the engine's verdict (:func:`app.network.reachability.decide`). VMs whose
memberships (and addresses) are identical for every group the rules name get identical
verdicts, so each such class is decided once through one representative.

``reaches``: the pairs an explicit ALLOW rule lets through (what the migration must preserve),
with the services and the deciding rules; traffic only the default rule allows is left out
(it is "everything else": ask ``can-reach``). ``decides``: per rule, the VMs whose traffic
it decides for some pair and service: a network-authority decision's blast radius.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from app.network.membership import Evaluator
from app.network.model import Estate, NetVm
from app.network.reachability import decide, ordered
from app.network.services import probes
from app.records.nsx import ANY


@dataclass
class DependencyMap:
    """What the engine found over the whole estate."""

    reaches: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    """``(source VM, destination VM)`` → ``{probe label: deciding rule path}`` (explicit allows)."""
    decides: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    """Rule path → VM ids whose traffic it decides."""
    classes: int = 0


def _referenced(estate: Estate) -> list[str]:
    refs: set[str] = set()
    for policy, rule in ordered(estate):
        refs.update(policy.scope)
        refs.update((*rule.sources, *rule.destinations, *rule.scope))
    return sorted(r for r in refs if r != ANY and r.startswith("/"))


def vm_classes(estate: Estate, evaluator: Evaluator) -> list[list[NetVm]]:
    """VMs grouped by everything the rules can tell about them."""
    refs = _referenced(estate)
    classes: dict[tuple[object, ...], list[NetVm]] = {}
    for vm in sorted(estate.vms.values(), key=lambda v: v.id):
        key = (*(evaluator.contains(r, vm)[0] for r in refs), vm.ips, vm.segments)
        classes.setdefault(key, []).append(vm)
    return list(classes.values())


def dependency_map(estate: Estate) -> DependencyMap:
    """Every pair's verdicts, as explained in the module docstring."""
    evaluator = Evaluator(estate)
    kinds = probes([rule for _, rule in ordered(estate)], estate)
    classes = vm_classes(estate, evaluator)
    found = DependencyMap(classes=len(classes))
    for sources in classes:
        for destinations in classes:
            if sources is destinations and len(sources) < 2:
                continue
            allowed: dict[str, str] = {}
            deciding: set[str] = set()
            for probe in kinds:
                decision = decide(estate, sources[0], destinations[-1], probe, evaluator)
                if decision.rule is None or decision.verdict == "unknown":
                    continue
                deciding.add(decision.rule.rule)
                if decision.verdict == "allow":
                    allowed[probe.label] = decision.rule.rule
            vms = {vm.id for vm in (*sources, *destinations)}
            for rule in deciding:
                found.decides[rule] |= vms
            if allowed:
                for src in sources:
                    for dst in destinations:
                        if src.id != dst.id:
                            found.reaches[(src.id, dst.id)] = allowed
    return found
