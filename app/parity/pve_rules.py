"""The Proxmox VE parity rules (pure functions over :mod:`app.parity.pve_model` shapes).

- **VM-VM affinity / anti-affinity** <-> a PVE 9 HA ``resource-affinity`` rule, ``positive``
  / ``negative``, over exactly the rule's mapped guests (all HA resources). PVE 8 has no such
  rule: a gap.
- **VM-host must / should (not) run on** <-> a PVE 9 HA ``node-affinity`` rule, ``strict`` /
  non-strict, whose nodes are exactly (for "not run on": none of) the nodes the hosts map to;
  on PVE 8, the guest's HA group, ``restricted`` / unrestricted.
- **HA protection** <-> the guest is an HA resource with state ``started``; a VM HA disables
  (restart priority ``disabled``) <-> not an HA resource, or state ``ignored``/``disabled``/
  ``stopped``. **Restart priority**, isolation response, VM monitoring and admission control
  have no PVE construct: gaps.
- **Limits** <-> ``cpulimit`` (cores, through ``cpu_mhz_per_core``) and the configured
  ``memory`` (a guest cannot use more); **shares** <-> ``cpuunits``: enforced when every pair of
  mapped guests with different source shares keeps the order (an unset ``cpuunits`` is PVE's
  default, 100); **reservations**, memory shares, pool settings, expandable reservations: gaps.
- **Port-group VLAN** <-> a guest NIC with that ``tag``, or on an SDN VNet with that tag.
- **Storage policy** <-> the storage the ``storage_policies`` map names (else a storage of the
  policy's name): every mapped guest has a disk there; an IOPS limit <-> those disks' ``iops``
  (or ``iops_rd`` + ``iops_wr``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.parity.capacity import Allocation
from app.parity.model import Status, TargetRef, Verdict, combine
from app.parity.network import PortGroup
from app.parity.pve_model import PveStorageRef, PveTarget, PveVM
from app.parity.storage import StoragePolicy, iops_limit
from app.parity.vmmap import normalise_name

CPUUNITS_DEFAULT = 100
"""``cpuunits`` when unset (cgroup v2, PVE 7 and later)."""
NOT_RESTARTED = ("ignored", "disabled", "stopped")


def _names(vms: Sequence[PveVM]) -> str:
    return ", ".join(sorted(v.ref for v in vms)) or "no guest"


def _not_ha(vms: Sequence[PveVM]) -> list[PveVM]:
    return [v for v in vms if v.ha_id is None]


# -- placement ---------------------------------------------------------------------------


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


# -- recovery ------------------------------------------------------------------------------


def not_restarted(vms: Sequence[PveVM]) -> Verdict:
    """HA restart priority ``disabled``: HA must not restart any of ``vms``."""
    wrong = [v for v in vms if v.ha_id is not None and v.ha_state not in NOT_RESTARTED]
    evidence = [v.evidence(f"HA {v.ha_state or 'none'}") for v in vms]
    if wrong:
        return Verdict(
            "drifted",
            [
                f"{v.ref} is an HA resource in state {v.ha_state}: restarted, but HA restart "
                "priority is disabled"
                for v in wrong
            ],
            evidence,
        )
    return Verdict(
        "enforced",
        [
            f"{v.ref}: {'HA state ' + (v.ha_state or '') if v.ha_id else 'not an HA resource'}, "
            "not restarted, as restart priority disabled says"
            for v in vms
        ],
        evidence,
    )


def cluster_ha(
    vms: Sequence[PveVM],
    admission_control: bool,
    disabled: frozenset[str] = frozenset(),
    priorities: Mapping[str, str] | None = None,
) -> Verdict:
    """Parity of a cluster's HA policy over its mapped guests; ``disabled``: ids of guests
    whose restart priority is ``disabled``; ``priorities``: each guest's effective restart
    priority (differences are a gap: PVE HA has no restart order)."""
    kept = [v for v in vms if v.id in disabled]
    rest = [v for v in vms if v.id not in disabled]
    started = [v for v in rest if v.ha_id is not None and v.ha_state == "started"]
    others = [v for v in rest if v not in started]
    parts = []
    if rest and not others:
        parts.append(
            Verdict(
                "enforced",
                [f"{len(started)} guest(s) are HA resources in state started"],
                [v.evidence(f"HA {v.sid} started") for v in started],
            )
        )
    elif others:
        status: Status = "drifted" if started else "missing"
        parts.append(
            Verdict(
                status,
                [
                    f"{v.ref}: HA state {v.ha_state}, not restarted after a node failure"
                    if v.ha_id
                    else f"{v.ref} is not an HA resource: not restarted after a node failure"
                    for v in others
                ],
                [v.evidence(f"HA {v.ha_state or 'none'}") for v in rest],
            )
        )
    if kept:
        parts.append(not_restarted(kept))
    ranked = {p for vid, p in (priorities or {}).items() if vid not in disabled}
    if len(ranked) > 1:
        parts.append(
            Verdict(
                "gap",
                [
                    f"restart priorities {', '.join(sorted(ranked))}: Proxmox VE HA has no restart "
                    "order (the CRS restarts resources as it places them)"
                ],
            )
        )
    if admission_control:
        parts.append(
            Verdict(
                "gap",
                ["admission control (failover capacity held back): Proxmox VE HA reserves none"],
            )
        )
    return combine(parts)


def vm_override(
    vm: PveVM,
    priority: str,
    isolation_response: str | None,
    vm_monitoring: str | None,
    sets_priority: bool,
) -> Verdict:
    """Parity of one guest's HA override (its effective restart priority and settings)."""
    parts = []
    if priority == "disabled":
        parts.append(not_restarted([vm]))
    elif sets_priority:
        parts.append(
            Verdict(
                "gap",
                [f"restart priority {priority}: Proxmox VE HA has no restart priority"],
                [vm.evidence(f"HA {vm.ha_state or 'none'}")],
            )
        )
    if isolation_response:
        parts.append(
            Verdict(
                "gap",
                [
                    f"isolation response {isolation_response}: PVE fences an isolated node "
                    "(watchdog), it has no per-guest response"
                ],
            )
        )
    if vm_monitoring:
        parts.append(
            Verdict("gap", [f"VM monitoring {vm_monitoring}: PVE HA has no guest heartbeat"])
        )
    return combine(parts)


# -- capacity ------------------------------------------------------------------------------


def _cpu_limit(vm: PveVM, mhz: int, mhz_per_core: float | None) -> Verdict:
    have = vm.cpulimit or 0
    ref = [vm.evidence(f"cpulimit {have:g}" if have else "cpulimit unset")]
    if not have:
        return Verdict("missing", [f"{vm.ref} has no cpulimit (source CPU limit {mhz} MHz)"], ref)
    if not mhz_per_core:
        return Verdict(
            "enforced",
            [
                f"{vm.ref} has cpulimit {have:g} (not compared with {mhz} MHz: set "
                "cpu_mhz_per_core in the map file)"
            ],
            ref,
        )
    wanted = round(mhz / mhz_per_core, 2)
    status: Status = "enforced" if abs(have - wanted) < 0.01 else "drifted"
    text = f"{vm.ref} cpulimit {have:g}, source limit {mhz} MHz = {wanted:g} core(s)"
    return Verdict(status, [text], ref)


def _mem_limit(vm: PveVM, limit: int) -> Verdict:
    have = vm.memory_mib
    ref = [vm.evidence(f"memory {have} MiB")]
    if have is None:
        return Verdict("missing", [f"{vm.ref} has no memory setting (source limit {limit} MB)"])
    if have <= limit:
        return Verdict(
            "enforced",
            [f"{vm.ref} has {have} MiB: it cannot use more than the source's limit {limit} MB"],
            ref,
        )
    return Verdict(
        "drifted", [f"{vm.ref} has {have} MiB, more than the source's limit {limit} MB"], ref
    )


def shares_order(vm: PveVM, shares: int, peers: Sequence[tuple[PveVM, int]]) -> Verdict:
    """Whether ``cpuunits`` keep the order of source CPU shares between ``vm`` and each mapped
    peer with different shares."""
    mine = vm.cpuunits or CPUUNITS_DEFAULT
    broken, judged = [], 0
    for peer, theirs in peers:
        if peer.id == vm.id or theirs == shares:
            continue
        judged += 1
        other = peer.cpuunits or CPUUNITS_DEFAULT
        if (shares > theirs) != (mine > other) or mine == other:
            broken.append(
                f"order broken: {vm.ref} (shares {shares}, cpuunits {mine}) against "
                f"{peer.ref} (shares {theirs}, cpuunits {other})"
            )
    evidence = [vm.evidence(f"cpuunits {mine}")]
    if broken:
        return Verdict("drifted", broken, evidence)
    said = (
        f"cpuunits {mine} keeps the order of CPU shares against {judged} mapped guest(s)"
        if judged
        else "no mapped guest with other CPU shares to order against"
    )
    return Verdict("enforced", [said], evidence)


def vm_allocation(
    a: Allocation,
    vm: PveVM,
    mhz_per_core: float | None = None,
    shares: int | None = None,
    peers: Sequence[tuple[PveVM, int]] = (),
) -> Verdict:
    """Parity of one guest's reservations, limits and shares (``shares``: its source CPU
    shares value; ``peers``: every mapped guest with its source CPU shares)."""
    parts: list[Verdict] = []
    for what, value in (("CPU", a.cpu_reservation), ("memory", a.mem_reservation)):
        if (value or 0) > 0:
            parts.append(
                Verdict(
                    "gap",
                    [
                        f"{what} reservation: Proxmox VE guarantees a guest nothing (a balloon "
                        "minimum is not a reservation)"
                    ],
                )
            )
    if a.cpu_limit is not None and a.cpu_limit >= 0:
        parts.append(_cpu_limit(vm, a.cpu_limit, mhz_per_core))
    if a.mem_limit is not None and a.mem_limit >= 0:
        parts.append(_mem_limit(vm, a.mem_limit))
    if a.cpu_shares_level and a.cpu_shares_level != "normal" and shares is not None:
        parts.append(shares_order(vm, shares, peers))
    if a.mem_shares_level and a.mem_shares_level != "normal":
        parts.append(
            Verdict(
                "gap",
                [
                    f"memory shares ({a.mem_shares_level}): Proxmox VE weighs memory only for "
                    "auto-ballooning, not read here"
                ],
            )
        )
    return combine(parts)


def pool_allocation(a: Allocation) -> Verdict:
    """A resource pool's settings: Proxmox VE pools hold none."""
    return Verdict(
        "gap",
        [
            "Proxmox VE pools group guests and storage for permissions; they hold no "
            "reservations, limits or shares"
        ],
    )


def expandable(a: Allocation) -> Verdict:
    """An expandable reservation: a gap on Proxmox VE."""
    return Verdict("gap", ["expandable reservations have no Proxmox VE construct"])


# -- network -------------------------------------------------------------------------------


def _carries(vm: PveVM, pg: PortGroup, pve: PveTarget) -> list[str]:
    """The guest's NICs on the port group's VLAN (``net0 tag 120`` / ``net0 on vnet120``)."""
    found = []
    for nic in vm.nics:
        vnet = pve.vnets.get(nic.bridge or "")
        tag = nic.tag if nic.tag is not None else (vnet.tag if vnet else None)
        if pg.vlan_id and tag == pg.vlan_id:
            found.append(
                f"{nic.slot} {'tag' if nic.tag else 'on VNet ' + (nic.bridge or '')} {tag}"
            )
        elif not pg.vlan_id and tag is None:
            found.append(f"{nic.slot} untagged on {nic.bridge}")
    return found


def _nics(vm: PveVM) -> str:
    shown = [f"{n.slot} {n.bridge}" + (f" tag {n.tag}" if n.tag else "") for n in vm.nics]
    return ", ".join(shown) or "none"


def port_group(pg: PortGroup, vms: Sequence[PveVM], pve: PveTarget, had_vms: bool) -> Verdict:
    """Parity of a port group's VLAN over its mapped guests."""
    if pg.pvlan_id is not None or pg.vlan_trunk:
        return Verdict(
            "gap",
            [
                f"port group {pg.name} uses {pg.text()}: not compared on Proxmox VE (no private "
                "VLANs; NIC trunks are not read)"
            ],
        )
    vnets = [v for v in pve.vnets.values() if pg.vlan_id and v.tag == pg.vlan_id]
    evidence = [v.evidence(f"tag {v.tag}") for v in vnets]
    if not had_vms:
        if vnets:
            return Verdict(
                "enforced",
                [f"VNet {', '.join(v.name for v in vnets)} carries {pg.text()} (no VMs)"],
                evidence,
            )
        return Verdict("missing", [f"no SDN VNet carries {pg.text()} (the port group has no VMs)"])
    on = [(vm, _carries(vm, pg, pve)) for vm in vms]
    good = [(vm, nics) for vm, nics in on if nics]
    off = [vm for vm, nics in on if not nics]
    evidence += [vm.evidence(", ".join(nics)) for vm, nics in good]
    if not off:
        return Verdict("enforced", [f"{vm.ref}: {', '.join(nics)}" for vm, nics in good], evidence)
    lines = [f"{vm.ref} has no NIC on {pg.text()} (its NICs: {_nics(vm)})" for vm in off]
    return Verdict("drifted" if good else "missing", lines, evidence)


# -- storage -------------------------------------------------------------------------------


def resolve_storage(
    policy: str, policy_map: Mapping[str, str], storages: Mapping[str, PveStorageRef]
) -> tuple[PveStorageRef | None, str]:
    """The policy's storage and how it was found (or why there is none)."""
    if policy in policy_map:
        name = policy_map[policy]
        how = f"the map file maps policy {policy} to storage {name}"
        found = storages.get(name)
        return found, how if found else how + ", which the target does not have"
    wanted = normalise_name(policy)
    for s in storages.values():
        if normalise_name(s.name) == wanted:
            return s, f"storage {s.name} has the policy's name"
    return None, (
        f"policy {policy} has no entry in the storage_policies section of --map and no "
        f"storage is named {wanted}"
    )


def _disk_iops(limits: Mapping[str, float]) -> float | None:
    if "iops" in limits:
        return limits["iops"]
    if "iops_rd" in limits and "iops_wr" in limits:
        return limits["iops_rd"] + limits["iops_wr"]
    return None


def _iops(limit: int, vms: Sequence[PveVM], storage: str) -> Verdict:
    lines, statuses = [], set()
    for vm in vms:
        for d in vm.disks:
            if d.storage != storage:
                continue
            have = _disk_iops(d.limits)
            if have is None:
                statuses.add("missing")
                lines.append(
                    f"{vm.ref} {d.slot}: no IOPS limit (the policy limits IOPS to {limit})"
                )
            else:
                statuses.add("enforced" if have == limit else "drifted")
                lines.append(f"{vm.ref} {d.slot}: IOPS limit {have:g} (policy {limit})")
    if not statuses:
        return Verdict("enforced")
    status: Status = (
        "enforced"
        if statuses == {"enforced"}
        else "missing"
        if statuses == {"missing"}
        else "drifted"
    )
    return Verdict(status, lines, [v.evidence("disk limits") for v in vms])


def storage_policy(
    policy: StoragePolicy,
    vms: Sequence[PveVM],
    policy_map: Mapping[str, str],
    storages: Mapping[str, PveStorageRef],
) -> Verdict:
    """Parity of one storage policy over its mapped guests."""
    storage, how = resolve_storage(policy.name, policy_map, storages)
    if storage is None:
        status: Status = "missing" if policy.name in policy_map else "gap"
        return Verdict(status, [how])
    using = [v for v in vms if any(d.storage == storage.name for d in v.disks)]
    others = [v for v in vms if v not in using]
    lines = [how] + [
        f"{v.ref} has no disk on {storage.name} (its disks: "
        f"{', '.join(sorted({d.storage or d.volume for d in v.disks})) or 'none'})"
        for v in others
    ]
    if not others:
        lines.append(f"all {len(using)} guest(s) have a disk on {storage.name}")
    found: Status = "enforced" if not others else "drifted" if using else "missing"
    evidence = [storage.evidence()] + [v.evidence("disks") for v in vms]
    parts = [Verdict(found, lines, evidence)]
    limit = iops_limit(policy.rules)
    if limit is not None and using:
        parts.append(_iops(limit, using, storage.name))
    return combine(parts)
