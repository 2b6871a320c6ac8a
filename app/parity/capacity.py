"""Capacity parity: vSphere reservations, limits and shares against Kubernetes requests,
limits and ResourceQuotas (pure functions).

- A VM's memory reservation <-> its memory request: enforced when the request is at least
  the reservation; a memory limit <-> its memory limit: enforced when equal.
- CPU is in MHz on vSphere and in cores on Kubernetes: compared through ``cpu_mhz_per_core``
  (the map file); without it only the presence of a request or limit is checked (said so).
- Shares: no Kubernetes construct (CPU weight follows requests): a gap.
- A resource pool's limits <-> the ResourceQuotas (``limits.memory``, ``limits.cpu``) of the
  namespaces its mapped VMs are in (summed); pool reservations, shares and expandable
  reservations: gaps (Kubernetes has no hierarchical pools or guaranteed reservations).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.parity.model import Status, TargetRef, TargetVM, Verdict, combine

MB = 1024 * 1024


@dataclass(frozen=True)
class SourceAllocation:
    """A source VM's or pool's settings (vSphere units: MHz and MB; -1 limit = unlimited)."""

    cpu_reservation: int | None = None
    cpu_limit: int | None = None
    cpu_shares_level: str | None = None
    mem_reservation: int | None = None
    mem_limit: int | None = None
    mem_shares_level: str | None = None
    cpu_expandable: bool | None = None
    mem_expandable: bool | None = None


@dataclass(frozen=True)
class Quota:
    """A ResourceQuota as parity sees it (normalised hard limits)."""

    id: str
    namespace: str
    name: str
    memory_limit_b: int | None = None
    cpu_limit_m: int | None = None

    def evidence(self) -> TargetRef:
        """This quota as evidence."""
        return TargetRef("ResourceQuota", self.id, f"{self.namespace}/{self.name}")


def _cores(mhz: int, mhz_per_core: float | None) -> int | None:
    return None if not mhz_per_core else round(mhz / mhz_per_core * 1000)


def _mem_request(vm: TargetVM, reservation: int) -> Verdict:
    have = vm.memory_request_b
    if have is None:
        return Verdict(
            "missing", [f"{vm.ref} requests no memory (source reserves {reservation} MB)"]
        )
    if have >= reservation * MB:
        return Verdict(
            "enforced",
            [f"{vm.ref} requests {have // MB} MB >= reserved {reservation} MB"],
            [vm.evidence("memory request")],
        )
    return Verdict(
        "drifted",
        [f"{vm.ref} requests {have // MB} MB, the source reserves {reservation} MB"],
        [vm.evidence("memory request")],
    )


def _mem_limit(vm: TargetVM, limit: int) -> Verdict:
    have = vm.memory_limit_b
    if have is None:
        return Verdict(
            "missing", [f"{vm.ref} has no memory limit (source limits it to {limit} MB)"]
        )
    status: Status = "enforced" if have == limit * MB else "drifted"
    return Verdict(
        status,
        [f"{vm.ref} memory limit {have // MB} MB, source limit {limit} MB"],
        [vm.evidence("memory limit")],
    )


def _cpu(vm: TargetVM, mhz: int, mhz_per_core: float | None, what: str) -> Verdict:
    have = vm.cpu_request_m if what == "reservation" else vm.cpu_limit_m
    field_name = "CPU request" if what == "reservation" else "CPU limit"
    if have is None:
        return Verdict("missing", [f"{vm.ref} has no {field_name} (source CPU {what} {mhz} MHz)"])
    wanted = _cores(mhz, mhz_per_core)
    ref = [vm.evidence(field_name)]
    if wanted is None:
        return Verdict(
            "enforced",
            [
                f"{vm.ref} has a {field_name} of {have}m (not compared with {mhz} MHz: "
                "set cpu_mhz_per_core in the map file)"
            ],
            ref,
        )
    ok = have >= wanted if what == "reservation" else have == wanted
    verb = ">=" if what == "reservation" else "="
    text = f"{vm.ref} {field_name} {have}m, source {what} {mhz} MHz = {wanted}m (needs {verb})"
    return Verdict("enforced" if ok else "drifted", [text], ref)


def _shares(level: str | None, what: str) -> list[Verdict]:
    if level and level != "normal":
        return [
            Verdict(
                "gap",
                [
                    f"{what} shares ({level}): Kubernetes has no per-VM shares "
                    "(CPU weight follows requests)"
                ],
            )
        ]
    return []


def vm_allocation(a: SourceAllocation, vm: TargetVM, mhz_per_core: float | None = None) -> Verdict:
    """Parity of one VM's reservation, limit and shares settings."""
    parts: list[Verdict] = []
    if (a.mem_reservation or 0) > 0:
        parts.append(_mem_request(vm, a.mem_reservation or 0))
    if a.mem_limit is not None and a.mem_limit >= 0:
        parts.append(_mem_limit(vm, a.mem_limit))
    if (a.cpu_reservation or 0) > 0:
        parts.append(_cpu(vm, a.cpu_reservation or 0, mhz_per_core, "reservation"))
    if a.cpu_limit is not None and a.cpu_limit >= 0:
        parts.append(_cpu(vm, a.cpu_limit, mhz_per_core, "limit"))
    parts += _shares(a.cpu_shares_level, "CPU") + _shares(a.mem_shares_level, "memory")
    return combine(parts)


def _quota_part(
    what: str, limit: int, have: Sequence[tuple[Quota, int | None]], wanted: int, unit: str
) -> Verdict:
    present = [(q, v) for q, v in have if v is not None]
    if not present:
        return Verdict("missing", [f"no ResourceQuota limits {what} (pool limit {limit} {unit})"])
    total = sum(v for _, v in present if v is not None)
    status: Status = "enforced" if total == wanted else "drifted"
    names = ", ".join(f"{q.namespace}/{q.name}" for q, _ in present)
    return Verdict(
        status,
        [f"ResourceQuota {names}: {what} {total} for the pool's {limit} {unit} (needs {wanted})"],
        [q.evidence() for q, _ in present],
    )


def pool_allocation(
    a: SourceAllocation,
    namespaces: Sequence[str],
    quotas: Sequence[Quota],
    mhz_per_core: float | None = None,
) -> Verdict:
    """Parity of a resource pool's settings over the namespaces of its mapped VMs."""
    mine = [q for q in quotas if q.namespace in set(namespaces)]
    parts: list[Verdict] = []
    if a.mem_limit is not None and a.mem_limit >= 0:
        have = [(q, q.memory_limit_b) for q in mine]
        parts.append(_quota_part("limits.memory", a.mem_limit, have, a.mem_limit * MB, "MB"))
    if a.cpu_limit is not None and a.cpu_limit >= 0:
        wanted = _cores(a.cpu_limit, mhz_per_core)
        have = [(q, q.cpu_limit_m) for q in mine]
        if wanted is None:
            found = [q for q, v in have if v is not None]
            parts.append(
                Verdict(
                    "enforced" if found else "missing",
                    [
                        f"CPU limit {a.cpu_limit} MHz: {'a' if found else 'no'} ResourceQuota "
                        "limits.cpu (not compared: set cpu_mhz_per_core)"
                    ],
                    [q.evidence() for q in found],
                )
            )
        else:
            parts.append(_quota_part("limits.cpu (millicores)", a.cpu_limit, have, wanted, "MHz"))
    for what, value in (("CPU", a.cpu_reservation), ("memory", a.mem_reservation)):
        if (value or 0) > 0:
            parts.append(
                Verdict(
                    "gap",
                    [
                        f"pool {what} reservation: a ResourceQuota caps, it guarantees "
                        "nothing (no reserved pools on Kubernetes)"
                    ],
                )
            )
    parts += _shares(a.cpu_shares_level, "pool CPU") + _shares(a.mem_shares_level, "pool memory")
    if len(set(namespaces)) > 1 and parts:
        parts[0].explanation.append(
            f"the pool's VMs are spread over namespaces {', '.join(sorted(set(namespaces)))}"
        )
    return combine(parts)


def expandable(a: SourceAllocation) -> Verdict:
    """An expandable reservation: always a gap on Kubernetes."""
    return Verdict(
        "gap",
        ["expandable reservations (borrowing from the parent pool) have no Kubernetes construct"],
    )
