"""Failure-recovery parity: vSphere HA against KubeVirt run strategies (pure functions).

HA restarts a cluster's VMs after a host failure <-> ``runStrategy`` ``Always`` or
``RerunOnFailure`` on every mapped VM (``Manual``, ``Halted``, ``Once``: not restarted:
drifted). KubeVirt restarts a VM elsewhere only once its node is fenced (NodeHealthCheck with
Self Node Remediation or Fence Agents Remediation), which the API server does not show: said
in the explanation. Admission control (failover capacity held back) has no Kubernetes
construct: a gap.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.parity.model import Status, TargetVM, Verdict, combine

RESTARTED = ("Always", "RerunOnFailure")


def cluster_ha(vms: Sequence[TargetVM], admission_control: bool) -> Verdict:
    """Parity of a cluster's HA policy over its mapped VMs."""
    restarted = [vm for vm in vms if vm.run_strategy in RESTARTED]
    others = [vm for vm in vms if vm.run_strategy not in RESTARTED]
    parts = []
    if not others:
        parts.append(
            Verdict(
                "enforced",
                [
                    f"{len(restarted)} VM(s) have run strategy Always or RerunOnFailure (restarted "
                    "once their node is fenced: check NodeHealthCheck remediation)"
                ],
                [vm.evidence(f"runStrategy {vm.run_strategy}") for vm in restarted],
            )
        )
    else:
        status: Status = "drifted" if restarted else "missing"
        parts.append(
            Verdict(
                status,
                [
                    f"{vm.ref} has run strategy {vm.run_strategy or 'unset'}: "
                    "not restarted after a node failure"
                    for vm in others
                ],
                [vm.evidence(f"runStrategy {vm.run_strategy}") for vm in vms],
            )
        )
    if admission_control:
        parts.append(
            Verdict(
                "gap",
                ["admission control (failover capacity held back): Kubernetes reserves none"],
            )
        )
    return combine(parts)
