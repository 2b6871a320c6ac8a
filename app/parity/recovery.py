"""Failure-recovery parity: vSphere HA against KubeVirt run strategies (pure functions).

HA restarts a cluster's VMs after a host failure <-> ``runStrategy`` ``Always`` or
``RerunOnFailure`` on every mapped VM (``Manual``, ``Halted``, ``Once``: not restarted:
drifted). A VM whose HA restart priority is ``disabled`` is never restarted by HA <-> a run
strategy that does not restart it (:func:`not_restarted`; the one home of both rules).
KubeVirt restarts a VM elsewhere only once its node is fenced (NodeHealthCheck with
Self Node Remediation or Fence Agents Remediation), which the API server does not show: said
in the explanation. Admission control (failover capacity held back) has no Kubernetes
construct: a gap.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.parity.model import Status, TargetVM, Verdict, combine

RESTARTED = ("Always", "RerunOnFailure")


def not_restarted(vms: Sequence[TargetVM]) -> Verdict:
    """Parity of HA restart priority ``disabled``: none of ``vms`` may have a run strategy that
    restarts it (enforced), else drifted naming each."""
    wrong = [vm for vm in vms if vm.run_strategy in RESTARTED]
    evidence = [vm.evidence(f"runStrategy {vm.run_strategy}") for vm in vms]
    if not wrong:
        return Verdict(
            "enforced",
            [
                f"{vm.ref} has run strategy {vm.run_strategy or 'unset'}: not restarted, as "
                "HA restart priority disabled says"
                for vm in vms
            ],
            evidence,
        )
    return Verdict(
        "drifted",
        [
            f"{vm.ref} has run strategy {vm.run_strategy}: restarted, but HA restart priority "
            "is disabled"
            for vm in wrong
        ],
        evidence,
    )


def cluster_ha(
    vms: Sequence[TargetVM], admission_control: bool, disabled: frozenset[str] = frozenset()
) -> Verdict:
    """Parity of a cluster's HA policy over its mapped VMs; ``disabled``: ids of the target
    VMs whose restart priority is ``disabled`` (judged by :func:`not_restarted`)."""
    kept = [vm for vm in vms if vm.id in disabled]
    vms = [vm for vm in vms if vm.id not in disabled]
    restarted = [vm for vm in vms if vm.run_strategy in RESTARTED]
    others = [vm for vm in vms if vm.run_strategy not in RESTARTED]
    parts = []
    if vms and not others:
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
    elif others:
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
    if kept:
        parts.append(not_restarted(kept))
    if admission_control:
        parts.append(
            Verdict(
                "gap",
                ["admission control (failover capacity held back): Kubernetes reserves none"],
            )
        )
    return combine(parts)
