"""Proxmox VE failure-recovery parity (pure functions): vSphere HA against HA resources.

- **HA protection** <-> the guest is an HA resource with state ``started``; a VM HA disables
  (restart priority ``disabled``) <-> not an HA resource, or state ``ignored``/``disabled``/
  ``stopped``. **Restart priority**, isolation response, VM monitoring and admission control
  have no PVE construct: gaps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from app.parity.model import Status, Verdict, combine
from app.parity.pve_model import PveVM

NOT_RESTARTED = ("ignored", "disabled", "stopped")


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
