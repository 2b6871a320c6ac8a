"""The shapes parity works with: statuses, verdicts and the target objects rules look at."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from app.records.kubernetes import NodeAffinityTerm, PodAffinityTerm

Status = Literal["enforced", "drifted", "missing", "gap", "unmapped"]
STATUSES: tuple[Status, ...] = ("enforced", "drifted", "missing", "gap", "unmapped")

_WORST: tuple[Status, ...] = ("missing", "drifted", "gap", "enforced")
"""How the parts of one decision combine: the first of these any part has wins (a decision
half enforced and half missing is missing; one whose only shortfall is a construct the target
lacks is a gap)."""


@dataclass(frozen=True)
class TargetRef:
    """A target object named as evidence."""

    kind: str
    id: str
    name: str
    detail: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        found: dict[str, Any] = {"kind": self.kind, "id": self.id, "name": self.name}
        if self.detail:
            found["detail"] = self.detail
        return found


@dataclass
class Verdict:
    """A rule's answer for one decision (or one part of it)."""

    status: Status
    explanation: list[str] = field(default_factory=list)
    evidence: list[TargetRef] = field(default_factory=list)


def combine(parts: Iterable[Verdict]) -> Verdict:
    """One verdict from several parts: the worst status (see ``_WORST``), every explanation,
    the evidence of all parts without repeats."""
    parts = list(parts)
    if not parts:
        return Verdict("enforced")
    statuses = {p.status for p in parts}
    status = next(s for s in _WORST if s in statuses)
    evidence: dict[tuple[str, str], TargetRef] = {}
    for part in parts:
        for ref in part.evidence:
            evidence.setdefault((ref.kind, ref.id), ref)
    return Verdict(
        status,
        [line for p in parts for line in p.explanation],
        list(evidence.values()),
    )


@dataclass(frozen=True)
class TargetVM:
    """A KubeVirt VirtualMachine as parity sees it (from a ``K8sVirtualMachine`` node); a
    Proxmox guest is its subclass :class:`app.parity.pve_model.PveVM`."""

    id: str
    namespace: str
    name: str
    labels: dict[str, str] = field(default_factory=dict)
    """The VMI template's labels: what pod (anti-)affinity selectors see."""
    firmware_serial: str | None = None
    firmware_uuid: str | None = None
    macs: tuple[str, ...] = ()
    networks: tuple[str, ...] = ()
    """Multus networks (NADs) the VM attaches to, as ``namespace/name``."""
    run_strategy: str | None = None
    priority_class: str | None = None
    cpu_request_m: int | None = None
    memory_request_b: int | None = None
    cpu_limit_m: int | None = None
    memory_limit_b: int | None = None
    pod_affinity: tuple[PodAffinityTerm, ...] = ()
    node_affinity: tuple[NodeAffinityTerm, ...] = ()
    node_selector: dict[str, str] = field(default_factory=dict)
    storage_classes: tuple[str, ...] = ()

    @property
    def ref(self) -> str:
        """``namespace/name``."""
        return f"{self.namespace}/{self.name}"

    def aliases(self) -> set[str]:
        """What a map file may call this VM (``namespace/name``)."""
        return {self.ref}

    def evidence(self, detail: str | None = None) -> TargetRef:
        """This VM as evidence."""
        return TargetRef("VirtualMachine", self.id, self.ref, detail)


@dataclass(frozen=True)
class TargetNode:
    """A Kubernetes node."""

    id: str
    name: str
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TargetPriorityClass:
    """A PriorityClass: pods of a higher ``value`` schedule, and preempt, first."""

    id: str
    name: str
    value: int
    global_default: bool = False

    def evidence(self, detail: str | None = None) -> TargetRef:
        """This class as evidence."""
        return TargetRef("PriorityClass", self.id, self.name, detail)


@dataclass(frozen=True)
class TargetStorageClass:
    """A StorageClass with its provisioner's parameters."""

    id: str
    name: str
    provisioner: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)

    def evidence(self, detail: str | None = None) -> TargetRef:
        """This class as evidence."""
        return TargetRef("StorageClass", self.id, self.name, detail)
