"""Proxmox VE placement parity (pure functions): DRS rules against HA rules and groups.

- **VM-VM affinity / anti-affinity** <-> a PVE 9 HA ``resource-affinity`` rule, ``positive``
  / ``negative``, over exactly the rule's mapped guests (all HA resources). PVE 8 has no such
  rule: a gap.
- **VM-host must / should (not) run on** <-> a PVE 9 HA ``node-affinity`` rule, ``strict`` /
  non-strict, whose nodes are exactly (for "not run on": none of) the nodes the hosts map to;
  on PVE 8, the guest's HA group, ``restricted`` / unrestricted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.parity.model import Status, TargetRef, Verdict
from app.parity.pve_model import PveTarget, PveVM


def _names(vms: Sequence[PveVM]) -> str:
    return ", ".join(sorted(v.ref for v in vms)) or "no guest"


def _not_ha(vms: Sequence[PveVM]) -> list[PveVM]:
    return [v for v in vms if v.ha_id is None]


def vm_vm_rule(anti: bool, members: Sequence[PveVM], pve: PveTarget) -> Verdict:
    """Parity of a DRS VM-VM (anti-)affinity rule over its mapped guests."""
    what = "apart" if anti else "together"
    if not pve.has_ha_rules:
        return Verdict(
            "gap",
            [
                f"Proxmox VE {pve.major} has no HA resource-affinity rules (PVE 9 has): nothing "
                f"keeps {_names(members)} {what}"
            ],
        )
    if len(members) < 2:
        return Verdict(
            "enforced", [f"only {_names(members)} is on the target: nothing to keep {what}"]
        )
    wanted = frozenset(v.id for v in members)
    affinity = "negative" if anti else "positive"
    rules = [  # the rules that relate at least two of the guests to each other
        r
        for r in pve.ha_rules
        if r.rule_type == "resource-affinity" and len(r.guests & wanted) >= 2
    ]
    evidence = [r.evidence(f"{r.rule_type} {r.affinity}") for r in rules]
    exact = [r for r in rules if r.affinity == affinity and r.guests == wanted and not r.disabled]
    outside = _not_ha(members)
    if exact and not outside:
        return Verdict(
            "enforced",
            [f"HA rule {exact[0].name} ({affinity} resource affinity) keeps them {what}"],
            [*evidence, *(v.evidence(v.sid) for v in members)],
        )
    if not rules:
        return Verdict(
            "missing", [f"no HA resource-affinity rule names {_names(members)}"], evidence
        )
    by_id = {v.id: v for v in members}
    lines = []
    for r in rules:
        said = f"HA rule {r.name}: {r.affinity} resource affinity"
        if r.disabled:
            lines.append(f"{said} is disabled")
        elif r.affinity != affinity:
            lines.append(f"{said} keeps them {'apart' if r.affinity == 'negative' else 'together'}")
        if not wanted <= r.guests:
            lines.append(f"{said} leaves out {_names([by_id[g] for g in wanted - r.guests])}")
        elif r.guests != wanted:
            lines.append(f"{said} also names {len(r.guests - wanted)} other guest(s)")
    lines += [f"{v.ref} is not an HA resource: HA rules do not place it" for v in outside]
    return Verdict("drifted", lines, evidence)


@dataclass(frozen=True)
class Placement:
    """Where a guest's HA configuration lets it run: its nodes, strictly or by preference."""

    nodes: frozenset[str]
    strict: bool
    ref: TargetRef


def placements(vm: PveVM, pve: PveTarget) -> list[Placement]:
    """A guest's node constraints: its PVE 9 node-affinity rules, or its PVE 8 HA group."""
    if vm.ha_id is None:
        return []
    if pve.has_ha_rules:
        return [
            Placement(
                frozenset(r.nodes), r.strict, r.evidence("strict" if r.strict else "non-strict")
            )
            for r in pve.ha_rules
            if r.rule_type == "node-affinity" and vm.id in r.guests and not r.disabled
        ]
    group = pve.ha_groups.get(vm.ha_group or "")
    if group is None:
        return []
    detail = "restricted" if group.restricted else "unrestricted"
    return [Placement(frozenset(group.nodes), group.restricted, group.evidence(detail))]


def _host_part(
    vm: PveVM, pve: PveTarget, wanted: frozenset[str], must: bool, anti: bool
) -> tuple[str, str, list[TargetRef]]:
    found = placements(vm, pve)
    construct = "node-affinity rule" if pve.has_ha_rules else "HA group"
    if vm.ha_id is None:
        return "missing", f"{vm.ref} is not an HA resource: no {construct} places it", []
    if not found:
        return "missing", f"{vm.ref} has no {construct}", []
    refs = [p.ref for p in found]

    def fits(p: Placement) -> bool:
        return not (p.nodes & wanted) and bool(p.nodes) if anti else p.nodes == wanted

    for p in found:
        if fits(p) and p.strict == must:
            return "ok", "", refs
    for p in found:
        if fits(p):
            if p.strict:
                return "drifted", f"{vm.ref}: {p.ref.name} is strict, the source only prefers", refs
            return (
                "drifted",
                f"{vm.ref}: {p.ref.name} only prefers the nodes, the source requires them",
                refs,
            )
    shown = "; ".join(
        f"{p.ref.name} allows {', '.join(sorted(p.nodes)) or 'no node'}" for p in found
    )
    return "drifted", f"{vm.ref}: {shown}, not {', '.join(sorted(wanted))}", refs


def vm_host_rule(
    members: Sequence[PveVM], pve: PveTarget, wanted: frozenset[str], *, must: bool, anti: bool
) -> Verdict:
    """Parity of a VM-host rule: its mapped guests against the nodes its hosts map to."""
    if not wanted:
        return Verdict(
            "missing",
            ["none of the rule's hosts maps to a target node: give a host map (hosts: in --map)"],
        )
    parts = [_host_part(vm, pve, wanted, must, anti) for vm in members]
    statuses = {s for s, _, _ in parts}
    evidence = list({r.id: r for _, _, refs in parts for r in refs}.values())
    if statuses == {"ok"}:
        kind = "strict" if must else "non-strict"
        verb = "keeps them off" if anti else "keeps them on"
        construct = "node affinity" if pve.has_ha_rules else "HA group"
        return Verdict(
            "enforced", [f"{kind} {construct} {verb} {', '.join(sorted(wanted))}"], evidence
        )
    status: Status = "missing" if statuses == {"missing"} else "drifted"
    return Verdict(status, [text for _, text, _ in parts if text], evidence)
