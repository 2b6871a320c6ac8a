"""Placement parity: DRS VM-VM and VM-host rules against KubeVirt scheduling constraints.

- VM-VM anti-affinity / affinity <-> a **required** pod (anti-)affinity term on
  ``kubernetes.io/hostname`` on every mapped VM of the rule, whose selector picks exactly the
  rule's other mapped VMs. Only a preferred term, another topology key, or other members:
  drifted. No term on any of them: missing.
- VM-host must / should (run on / not run on) <-> required / preferred node affinity (and
  ``nodeSelector``, which is required) allowing exactly (or, for "not run on", none of) the
  nodes the rule's hosts map to.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from app.parity.model import Status, TargetNode, TargetVM, Verdict
from app.parity.selectors import HOSTNAME, nodes_matching, selector_matches
from app.parity.vmmap import normalise_name
from app.records.kubernetes import NodeSelectorTerm, PodAffinityTerm, SelectorRequirement


def _names(ids: set[str], by_id: Mapping[str, TargetVM]) -> str:
    return ", ".join(sorted(by_id[i].ref for i in ids)) or "no VM"


def _in_scope(
    term: PodAffinityTerm, owner: TargetVM, other: TargetVM, ns_labels: Mapping[str, dict[str, str]]
) -> bool:
    if term.namespace_selector is not None:
        if selector_matches(term.namespace_selector, ns_labels.get(other.namespace, {})):
            return True
        return other.namespace in term.namespaces
    return other.namespace in (term.namespaces or [owner.namespace])


def selected_by(
    term: PodAffinityTerm,
    owner: TargetVM,
    vms: Sequence[TargetVM],
    ns_labels: Mapping[str, dict[str, str]] | None = None,
) -> set[str]:
    """Ids of the other VMs a pod (anti-)affinity term of ``owner`` selects."""
    return {
        v.id
        for v in vms
        if v.id != owner.id
        and _in_scope(term, owner, v, ns_labels or {})
        and selector_matches(term.label_selector, v.labels)
    }


def vm_vm_rule(
    anti: bool,
    members: Sequence[TargetVM],
    all_vms: Sequence[TargetVM],
    ns_labels: Mapping[str, dict[str, str]] | None = None,
) -> Verdict:
    """Parity of a VM-VM (anti-)affinity rule over its mapped members."""
    by_id = {v.id: v for v in all_vms}
    what = "anti-affinity" if anti else "affinity"
    explanation: list[str] = []
    evidence = []
    good = with_terms = 0
    for vm in members:
        expected = {m.id for m in members if m.id != vm.id}
        terms = [t for t in vm.pod_affinity if t.anti == anti]
        if not terms:
            explanation.append(f"{vm.ref} has no pod {what} term")
            continue
        with_terms += 1
        evidence.append(vm.evidence(f"pod {what}"))
        best = None
        for t in sorted(terms, key=lambda t: (not t.required, t.topology_key != HOSTNAME)):
            chosen = selected_by(t, vm, all_vms, ns_labels)
            if t.required and t.topology_key == HOSTNAME and chosen == expected:
                best = None
                good += 1
                break
            if best is None:
                kind = "required" if t.required else "only preferred"
                text = f"{vm.ref}: {kind} pod {what} on {t.topology_key}"
                if chosen != expected:
                    extra, lacking = chosen - expected, expected - chosen
                    if extra:
                        text += f" also selects {_names(extra, by_id)}"
                    if lacking:
                        text += f" does not select {_names(lacking, by_id)}"
                best = text
        if best:
            explanation.append(best)
    if good == len(members):
        rule = "keeps them apart" if anti else "keeps them together"
        return Verdict("enforced", [f"required pod {what} on {HOSTNAME} {rule}"], evidence)
    return Verdict("drifted" if with_terms else "missing", explanation, evidence)


@dataclass
class HostMapping:
    """Source hosts -> target node names."""

    nodes: dict[str, str] = field(default_factory=dict)
    """Host name -> node name."""
    unmatched: list[str] = field(default_factory=list)
    ambiguous: dict[str, list[str]] = field(default_factory=dict)


def map_hosts(
    hosts: Sequence[str], nodes: Sequence[TargetNode], overrides: Mapping[str, str] | None = None
) -> HostMapping:
    """Map host names to node names: the map file, then the same name, then the same short
    name (before the first dot), case-insensitive; several candidates are ambiguous."""
    out = HostMapping()
    names = [n.name for n in nodes]
    for host in hosts:
        if overrides and host in overrides:
            out.nodes[host] = overrides[host]
            continue
        for key in (lambda x: x.lower(), lambda x: normalise_name(x.split(".", 1)[0])):
            found = sorted({n for n in names if key(n) == key(host)})
            if found:
                break
        if len(found) == 1:
            out.nodes[host] = found[0]
        elif found:
            out.ambiguous[host] = found
        else:
            out.unmatched.append(host)
    return out


def _allowed(vm: TargetVM, nodes: Sequence[TargetNode]) -> frozenset[str] | None:
    """Nodes the VM may be scheduled on (``None``: no required constraint)."""
    required = [a.term for a in vm.node_affinity if a.required]
    allowed: frozenset[str] | None = None
    if required:
        allowed = nodes_matching(required, nodes)
    if vm.node_selector:
        term = NodeSelectorTerm(
            match_expressions=[
                SelectorRequirement(key=k, operator="In", values=[v])
                for k, v in vm.node_selector.items()
            ]
        )
        chosen = nodes_matching([term], nodes)
        allowed = chosen if allowed is None else allowed & chosen
    return allowed


def _preferred(vm: TargetVM, nodes: Sequence[TargetNode]) -> frozenset[str] | None:
    terms = [a.term for a in vm.node_affinity if not a.required and (a.weight or 0) > 0]
    return nodes_matching(terms, nodes) if terms else None


def _host_part(
    vm: TargetVM, nodes: Sequence[TargetNode], wanted: frozenset[str], must: bool, anti: bool
) -> tuple[str, str]:
    allowed, preferred = _allowed(vm, nodes), _preferred(vm, nodes)

    def show(nodes: frozenset[str]) -> str:
        return ", ".join(sorted(nodes)) or "no node"

    def fits(chosen: frozenset[str] | None) -> bool:
        if chosen is None:
            return False
        return not (chosen & wanted) if anti else chosen == wanted

    if fits(allowed if must else preferred):
        return "ok", ""
    if not must and fits(allowed):
        return (
            "drifted",
            f"{vm.ref}: required node affinity, stricter than the source's should-rule",
        )
    if must and fits(preferred):
        return (
            "drifted",
            f"{vm.ref}: only preferred node affinity ({show(preferred or frozenset())})",
        )
    chosen = allowed if allowed is not None else preferred
    if chosen is None:
        return "missing", f"{vm.ref} has no node affinity or node selector"
    kind = "required" if allowed is not None else "preferred"
    return "drifted", f"{vm.ref}: {kind} node affinity allows {show(chosen)}, not {show(wanted)}"


def vm_host_rule(
    members: Sequence[TargetVM],
    nodes: Sequence[TargetNode],
    wanted: frozenset[str],
    *,
    must: bool,
    anti: bool,
) -> Verdict:
    """Parity of a VM-host rule: its mapped VMs against the nodes its hosts map to."""
    if not wanted:
        return Verdict(
            "missing",
            ["none of the rule's hosts maps to a target node: give a host map (hosts: in --map)"],
        )
    parts = [_host_part(vm, nodes, wanted, must, anti) for vm in members]
    statuses = {s for s, _ in parts}
    evidence = [
        vm.evidence("node affinity")
        for vm, (s, _) in zip(members, parts, strict=True)
        if s != "missing"
    ]
    nodes_text = ", ".join(sorted(wanted))
    if statuses == {"ok"}:
        verb = "keeps them off" if anti else "keeps them on"
        kind = "required" if must else "preferred"
        return Verdict("enforced", [f"{kind} node affinity {verb} {nodes_text}"], evidence)
    status: Status = "missing" if statuses == {"missing"} else "drifted"
    return Verdict(status, [text for s, text in parts if text], evidence)
