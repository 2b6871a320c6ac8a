"""Proxmox VE capacity, network and storage parity (pure functions over
:mod:`app.parity.pve_model` shapes; placement is :mod:`app.parity.pve_placement`, failure
recovery :mod:`app.parity.pve_recovery`, change authority :mod:`app.parity.pve_authority`).

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

from app.parity.capacity import SourceAllocation
from app.parity.model import Status, Verdict, combine
from app.parity.network import PortGroup
from app.parity.pve_model import PveStorageRef, PveTarget, PveVM
from app.parity.storage import StoragePolicy, iops_limit, resolve

CPUUNITS_DEFAULT = 100
"""``cpuunits`` when unset (cgroup v2, PVE 7 and later)."""


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
    a: SourceAllocation,
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


def pool_allocation(a: SourceAllocation) -> Verdict:
    """A resource pool's settings: Proxmox VE pools hold none."""
    return Verdict(
        "gap",
        [
            "Proxmox VE pools group guests and storage for permissions; they hold no "
            "reservations, limits or shares"
        ],
    )


def expandable(a: SourceAllocation) -> Verdict:
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
    storage, how = resolve(policy.name, policy_map, storages, "storage")
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
