"""Storage-allocation parity: SPBM storage policies against StorageClasses (pure functions).

A policy's StorageClass is the one the ``storage_policies`` section of ``--map`` names, else
the StorageClass whose normalised name (lower case, other runs as ``-``) equals the policy's.
Over the decision's mapped VMs: every VM has a volume (PVC or DataVolume) of that class ->
enforced; some -> drifted; none -> missing. Volumes the policy does not govern may use other
classes (the source associates policies per disk; the target's disks are not mapped one by
one). A policy with no map entry and no class of its name -> gap (someone must choose the
class). An IOPS limit in the policy's rules (e.g. ``VSAN.iopsLimit=1000``) must be a parameter
of the class (a key containing ``iops``, e.g. ``iops`` for the AWS EBS CSI driver or
``DiskIOPSReadWrite`` for Azure disk); a class with no such parameter cannot express it -> gap.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from app.parity.model import Status, TargetStorageClass, TargetVM, Verdict, combine
from app.parity.vmmap import normalise_name

_IOPS_RULE = re.compile(r"iops\w*\s*=\s*(\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class StoragePolicy:
    """A source SPBM policy as parity sees it."""

    name: str
    rules: tuple[str, ...] = ()


def iops_limit(rules: Sequence[str]) -> int | None:
    """The IOPS limit a policy's rule lines set (``...iopsLimit=N``), if any."""
    for line in rules:
        found = _IOPS_RULE.search(line)
        if found:
            return int(found.group(1))
    return None


class Named(Protocol):
    """A target storage object (a StorageClass, a PVE storage)."""

    @property
    def name(self) -> str: ...


N = TypeVar("N", bound=Named)


def resolve(
    policy: str, policy_map: Mapping[str, str], found: Mapping[str, N], what: str
) -> tuple[N | None, str]:
    """The target object (``what``: ``StorageClass``, ``storage``) a policy maps to, by the
    map file's ``storage_policies``, else by the policy's normalised name; and how it was
    found (or why there is none)."""
    if policy in policy_map:
        name = policy_map[policy]
        hit = found.get(name)
        how = f"the map file maps policy {policy} to {what} {name}"
        return hit, how if hit else how + ", which the target does not have"
    wanted = normalise_name(policy)
    for obj in found.values():
        if normalise_name(obj.name) == wanted:
            return obj, f"{what} {obj.name} has the policy's name"
    return None, (
        f"policy {policy} has no entry in the storage_policies section of --map and no "
        f"{what} is named {wanted}"
    )


def resolve_class(
    policy: str, policy_map: Mapping[str, str], classes: Mapping[str, TargetStorageClass]
) -> tuple[TargetStorageClass | None, str]:
    """The policy's StorageClass and how it was found (or why there is none)."""
    return resolve(policy, policy_map, classes, "StorageClass")


def _iops(limit: int, sc: TargetStorageClass) -> Verdict:
    keys = {k: v for k, v in sc.parameters.items() if "iops" in k.lower()}
    if not keys:
        return Verdict(
            "gap",
            [
                f"the policy limits IOPS to {limit}; StorageClass {sc.name} (provisioner "
                f"{sc.provisioner or 'unknown'}) has no parameter that expresses an IOPS limit"
            ],
            [sc.evidence("no IOPS parameter")],
        )
    said = ", ".join(f"{k}={v}" for k, v in sorted(keys.items()))
    if any(v.strip() == str(limit) for v in keys.values()):
        return Verdict(
            "enforced",
            [f"StorageClass {sc.name} sets {said} (policy IOPS limit {limit})"],
            [sc.evidence(said)],
        )
    return Verdict(
        "drifted",
        [f"StorageClass {sc.name} sets {said}, the policy limits IOPS to {limit}"],
        [sc.evidence(said)],
    )


def storage_policy(
    policy: StoragePolicy,
    vms: Sequence[TargetVM],
    policy_map: Mapping[str, str],
    classes: Mapping[str, TargetStorageClass],
) -> Verdict:
    """Parity of one storage policy over its mapped VMs."""
    sc, how = resolve_class(policy.name, policy_map, classes)
    if sc is None:
        missing: Status = "missing" if policy.name in policy_map else "gap"
        return Verdict(missing, [how])
    using = [vm for vm in vms if sc.name in vm.storage_classes]
    others = [vm for vm in vms if sc.name not in vm.storage_classes]
    lines = [how] + [
        f"{vm.ref} has no volume of StorageClass {sc.name} (its volumes use: "
        f"{', '.join(vm.storage_classes) or 'no StorageClass'})"
        for vm in others
    ]
    if not others:
        lines.append(f"all {len(using)} VM(s) have a volume of StorageClass {sc.name}")
    status: Status = "enforced" if not others else "drifted" if using else "missing"
    evidence = [sc.evidence(sc.provisioner)] + [
        vm.evidence(f"storage classes {', '.join(vm.storage_classes) or 'none'}") for vm in vms
    ]
    parts = [Verdict(status, lines, evidence)]
    limit = iops_limit(policy.rules)
    if limit is not None:
        parts.append(_iops(limit, sc))
    return combine(parts)
