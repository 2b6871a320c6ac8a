"""HA restart priority parity: vSphere restart priorities against PriorityClass values (pure).

vSphere ranks restart priorities ``disabled < lowest < low < medium < high < highest``; a
cluster sets a default (``medium`` unless changed) and a per-VM override may replace it
(``clusterRestartPriority``: the default). On the target the order is the VMs' PriorityClass
values (``spec.template.spec.priorityClassName``; a VM without one gets the global-default
class's value, else 0). The order is kept when, for every pair of mapped VMs with different
source priorities, the higher one has a strictly higher value (equal priorities: any values).

- enforced: every pair judged keeps the order;
- drifted: a pair breaks it (named, with both values);
- missing: a VM the source gives a non-default priority has no PriorityClass (or names one the
  target does not have);
- ``disabled``: HA never restarts the VM <-> a run strategy that does not restart it
  (:func:`app.parity.recovery.not_restarted`);
- gap: a per-VM isolation response or VM monitoring setting (no per-VM Kubernetes construct).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.parity.model import TargetPriorityClass, TargetRef, TargetVM, Verdict, combine
from app.parity.recovery import not_restarted

RANK = {"disabled": 0, "lowest": 1, "low": 2, "medium": 3, "high": 4, "highest": 5}
VSPHERE_DEFAULT = "medium"
FROM_CLUSTER = "clusterRestartPriority"

Classes = Mapping[str, TargetPriorityClass]


@dataclass(frozen=True)
class Ranked:
    """A mapped VM with its effective source restart priority."""

    vm: TargetVM
    priority: str


def effective(override: str | None, default: str | None) -> str:
    """The restart priority a VM gets: its override unless that defers to the cluster."""
    if override and override != FROM_CLUSTER:
        return override
    return default or VSPHERE_DEFAULT


def class_value(vm: TargetVM, classes: Classes) -> tuple[int | None, str]:
    """The VM's priority value and how it was found; ``None`` when it names a missing class."""
    if vm.priority_class:
        found = classes.get(vm.priority_class)
        if found is None:
            return None, f"PriorityClass {vm.priority_class} (not on the target)"
        return found.value, f"PriorityClass {found.name}={found.value}"
    default = next((c for c in classes.values() if c.global_default), None)
    if default is not None:
        return default.value, f"no class (global default {default.name}={default.value})"
    return 0, "no class (priority 0)"


def _evidence(vms: Sequence[Ranked], classes: Classes) -> list[TargetRef]:
    refs = [r.vm.evidence(f"priorityClassName {r.vm.priority_class or 'unset'}") for r in vms]
    used = {r.vm.priority_class or "" for r in vms if (r.vm.priority_class or "") in classes}
    return refs + [classes[name].evidence(f"value {classes[name].value}") for name in sorted(used)]


def order(subjects: Sequence[Ranked], peers: Sequence[Ranked], classes: Classes) -> Verdict:
    """Whether every pair (a subject, a peer) of different, not disabled, source priorities
    keeps the order in PriorityClass values (each unordered pair judged once)."""
    broken, judged, seen = [], 0, set()
    for a in subjects:
        for b in peers:
            pair = frozenset((a.vm.id, b.vm.id))
            if a.vm.id == b.vm.id or pair in seen or "disabled" in (a.priority, b.priority):
                continue
            seen.add(pair)
            if RANK.get(a.priority, 3) == RANK.get(b.priority, 3):
                continue
            hi, lo = (a, b) if RANK.get(a.priority, 3) > RANK.get(b.priority, 3) else (b, a)
            (hv, hd), (lv, ld) = class_value(hi.vm, classes), class_value(lo.vm, classes)
            judged += 1
            if hv is not None and lv is not None and hv <= lv:
                broken.append(
                    f"order broken: {hi.vm.ref} (restart priority {hi.priority}, {hd}) is not "
                    f"above {lo.vm.ref} (restart priority {lo.priority}, {ld})"
                )
    everyone = list({r.vm.id: r for r in [*subjects, *peers]}.values())
    if broken:
        return Verdict("drifted", broken, _evidence(everyone, classes))
    said = (
        f"PriorityClass values keep the restart order of {judged} pair(s) of VMs"
        if judged
        else "no mapped VM of a different restart priority to order against"
    )
    return Verdict("enforced", [said], _evidence(everyone, classes))


def _classless(subjects: Sequence[Ranked], default: str, classes: Classes) -> Verdict | None:
    lacking = [
        r
        for r in subjects
        if r.priority not in ("disabled", default) and r.vm.priority_class is None
    ]
    lacking += [r for r in subjects if r.vm.priority_class and r.vm.priority_class not in classes]
    if not lacking:
        return None
    return Verdict(
        "missing",
        [
            f"{r.vm.ref} has {class_value(r.vm, classes)[1]} where the source sets restart "
            f"priority {r.priority}"
            for r in lacking
        ],
        _evidence(lacking, classes),
    )


def vm_override(
    subject: Ranked,
    peers: Sequence[Ranked],
    classes: Classes,
    default: str,
    isolation_response: str | None = None,
    vm_monitoring: str | None = None,
    sets_priority: bool = True,
) -> Verdict:
    """Parity of one VM's HA override; ``peers``: the other mapped VMs of its cluster;
    ``sets_priority``: whether the override sets a restart priority (else the order is the
    cluster decision's business)."""
    parts = []
    if subject.priority == "disabled":
        parts.append(not_restarted([subject.vm]))
    elif sets_priority:
        parts.append(_classless([subject], default, classes) or order([subject], peers, classes))
    if isolation_response:
        parts.append(
            Verdict(
                "gap",
                [
                    f"isolation response {isolation_response}: Kubernetes has no per-VM "
                    "construct (node remediation, e.g. Self Node Remediation, is per node)"
                ],
            )
        )
    if vm_monitoring:
        parts.append(
            Verdict(
                "gap",
                [
                    f"VM monitoring {vm_monitoring}: not judged (a VMI liveness probe is the "
                    "nearest construct; the API server does not show its guest heartbeats)"
                ],
            )
        )
    return combine(parts)


def cluster_order(members: Sequence[Ranked], default: str, classes: Classes) -> Verdict:
    """Parity of a cluster's default restart priority: the VMs that keep the default against
    every other mapped VM of the cluster."""
    at_default = [r for r in members if r.priority == default]
    if default == "disabled":
        return Verdict("enforced", ["default restart priority disabled: see the run strategies"])
    if not at_default:
        return Verdict("enforced", [f"no mapped VM keeps the default restart priority {default}"])
    missing = _classless(at_default, VSPHERE_DEFAULT, classes)
    return missing or order(at_default, members, classes)
