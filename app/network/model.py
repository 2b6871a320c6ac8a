"""The inputs of the network engine: VMs, groups, services, policies and rules, plain and
immutable, built from the graph (:mod:`app.network.estate`) or by hand in tests.

Paths are NSX policy paths (``/infra/domains/default/groups/web``); VM ids are whatever the
caller uses (the graph uses vCenter VM ids). ``None`` on a VM attribute means "not known",
which membership evaluation reports instead of treating it as empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DFW_CATEGORIES = ("Ethernet", "Emergency", "Infrastructure", "Environment", "Application")
"""The distributed-firewall categories in NSX's evaluation order."""


@dataclass(frozen=True)
class NetVm:
    """A VM as the engine sees it."""

    id: str
    name: str
    instance_uuid: str | None = None
    guest_os: str | None = None
    computer_name: str | None = None
    tags: frozenset[str] | None = None
    """``scope|tag`` strings (NSX inventory); ``None``: the VM's NSX tags are not known."""
    ips: frozenset[str] | None = None
    macs: frozenset[str] | None = None
    segments: frozenset[str] | None = None
    """Paths of the segments (and segment ports) the VM is attached to, when known."""


@dataclass(frozen=True)
class NetGroup:
    """A group: its expression and, from a live manager, NSX's effective VM members."""

    path: str
    name: str
    expression: tuple[dict[str, Any], ...] = ()
    effective_members: frozenset[str] | None = None
    """VM ids NSX itself computed (live collections); ``None``: evaluate the expression."""


@dataclass(frozen=True)
class NetService:
    """A service: its entries in words (``TCP dst 443``), as the ingest records them."""

    path: str
    name: str
    entries: tuple[str, ...] = ()


@dataclass(frozen=True)
class DfwRule:
    """A rule of a distributed-firewall (or gateway) policy."""

    path: str
    name: str
    sequence: int
    action: str
    direction: str = "IN_OUT"
    disabled: bool = False
    sources: tuple[str, ...] = ()
    """Group paths and raw addresses; empty or containing ``ANY``: any source."""
    destinations: tuple[str, ...] = ()
    sources_excluded: bool = False
    destinations_excluded: bool = False
    services: tuple[str, ...] = ()
    """Service paths; with no ``service_entries`` either (or ``ANY``): any service."""
    service_entries: tuple[str, ...] = ()
    scope: tuple[str, ...] = ()
    """Rule-level applied-to (empty: the policy's)."""
    rule_id: int | None = None


@dataclass(frozen=True)
class DfwPolicy:
    """A security policy (``distributed``) or gateway policy (``gateway``)."""

    path: str
    name: str
    category: str
    sequence: int
    rules: tuple[DfwRule, ...] = ()
    scope: tuple[str, ...] = ()
    policy_type: str = "distributed"
    system_owned: bool = False

    @property
    def is_default(self) -> bool:
        """Whether this is NSX's default policy (``default-layer3-section``), whose last rule
        is the default rule."""
        return self.path.endswith("/default-layer3-section") or (
            self.system_owned and self.category == "Application" and self.sequence >= 2**31 - 1
        )


@dataclass(frozen=True)
class Estate:
    """Everything the engine needs, by path / id."""

    vms: dict[str, NetVm] = field(default_factory=dict)
    groups: dict[str, NetGroup] = field(default_factory=dict)
    services: dict[str, NetService] = field(default_factory=dict)
    policies: tuple[DfwPolicy, ...] = ()
    segments: frozenset[str] = frozenset()
    """Paths of known segments (PathExpression targets that are not groups)."""
