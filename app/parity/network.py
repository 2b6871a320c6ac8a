"""Network parity: a port group's VLAN against NetworkAttachmentDefinitions (pure functions).

Enforced when a NAD carries the same VLAN (the VLAN id; for a trunk, the same ranges) and
every mapped VM of the port group attaches to such a NAD; a port group without VMs is enforced
by the NAD alone. Mapped VMs on no such NAD: drifted (which VMs, and what they are on). No NAD
with the VLAN: missing. Private VLANs have no NAD construct: a gap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.parity.model import TargetRef, TargetVM, Verdict


@dataclass(frozen=True)
class Nad:
    """A NetworkAttachmentDefinition as parity sees it."""

    id: str
    namespace: str
    name: str
    vlan: int | None = None
    vlan_trunk: tuple[str, ...] = ()
    cni_type: str | None = None

    @property
    def ref(self) -> str:
        """``namespace/name``."""
        return f"{self.namespace}/{self.name}"

    def evidence(self) -> TargetRef:
        """This NAD as evidence."""
        vlan = (
            f"VLAN {self.vlan}"
            if self.vlan
            else (f"trunk {','.join(self.vlan_trunk)}" if self.vlan_trunk else "untagged")
        )
        return TargetRef(
            "NetworkAttachmentDefinition", self.id, self.ref, f"{self.cni_type or 'cni'} {vlan}"
        )


@dataclass(frozen=True)
class PortGroup:
    """The source side: a port group's VLAN setting."""

    name: str
    vlan_id: int | None = None
    vlan_trunk: tuple[str, ...] = ()
    pvlan_id: int | None = None

    def text(self) -> str:
        """``VLAN 120``, ``trunk 10-20``..."""
        if self.pvlan_id is not None:
            return f"private VLAN {self.pvlan_id}"
        if self.vlan_trunk:
            return f"trunk {','.join(self.vlan_trunk)}"
        return f"VLAN {self.vlan_id}" if self.vlan_id else "untagged"


def carries(nad: Nad, pg: PortGroup) -> bool:
    """Whether a NAD carries the port group's VLAN (untagged: a NAD with no VLAN)."""
    if pg.vlan_trunk:
        return sorted(nad.vlan_trunk) == sorted(pg.vlan_trunk)
    if pg.vlan_id:
        return nad.vlan == pg.vlan_id
    return nad.vlan is None and not nad.vlan_trunk


def port_group(
    pg: PortGroup, vms: Sequence[TargetVM], nads: Sequence[Nad], had_vms: bool
) -> Verdict:
    """Parity of a port group over its mapped VMs (``had_vms``: it has VMs on the source)."""
    if pg.pvlan_id is not None:
        return Verdict(
            "gap", [f"port group {pg.name} uses {pg.text()}: NADs have no private-VLAN construct"]
        )
    matching = [n for n in nads if carries(n, pg)]
    if not matching:
        return Verdict("missing", [f"no NetworkAttachmentDefinition carries {pg.text()}"])
    refs = {n.ref for n in matching}
    if not had_vms:
        names = ", ".join(sorted(refs))
        return Verdict(
            "enforced",
            [f"{names} carries {pg.text()} (the port group has no VMs)"],
            [n.evidence() for n in matching],
        )
    used: list[tuple[TargetVM, list[str]]] = []
    off: list[tuple[TargetVM, list[str]]] = []
    for vm in vms:
        on = refs.intersection(vm.networks)
        (used if on else off).append((vm, sorted(on)))
    evidence = [n.evidence() for n in matching if any(n.ref in vm.networks for vm in vms)]
    evidence += [vm.evidence("attached") for vm, _ in used]
    if not off:
        return Verdict(
            "enforced",
            [f"{vm.ref} is on {', '.join(on)} ({pg.text()})" for vm, on in used],
            evidence,
        )
    lines = [
        f"{vm.ref} is on {', '.join(vm.networks) or 'the pod network only'}, "
        f"not on a NAD carrying {pg.text()} ({', '.join(sorted(refs))})"
        for vm, _ in off
    ]
    return Verdict("drifted", lines, evidence or [n.evidence() for n in matching])
