"""Records collected from an NSX manager through the Policy API (NSX-T 3.x, NSX 4.x).

Ids are ``<source id>:<policy path>`` (the source id is ``nsx:<manager host>``), so several
managers coexist and a re-ingest re-attaches to the same nodes; multi-tenant objects keep their
project-scoped path (``/orgs/default/projects/<p>/infra/...``). VMs, which NSX identifies by
their vCenter instance UUID (``external_id``), are ``<source id>:vm:<external_id>``. Fields that
reference another record hold that record's id; tags are ``scope|tag`` strings, the form NSX
group conditions compare them in.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from app.records.base import Record

ANY = "ANY"
"""NSX's wildcard in a rule's sources, destinations, services and scope."""


class NsxRecord(Record):
    """Base of every NSX record."""

    source_kind: ClassVar[str] = "nsx"


class NsxPolicyObject(NsxRecord):
    """Fields every Policy API object carries (``id``, ``path``, ``display_name``...)."""

    kind: str
    nsx_id: str
    """The object's own ``id`` (the last segment of its path)."""
    path: str
    """The policy path, e.g. ``/infra/domains/default/groups/web``."""
    display_name: str
    description: str | None = None
    project: str | None = None
    """The NSX 4.1+ project the object belongs to (``None``: the default ``/infra`` tree)."""
    system_owned: bool = False
    tags: list[str] = Field(default_factory=list)


class NsxProject(NsxPolicyObject):
    """A multi-tenant project (NSX 4.1+), under ``/orgs/<org>/projects/<id>``."""

    kind: Literal["NsxProject"] = "NsxProject"
    org: str
    short_id: str | None = None


class NsxTier0(NsxPolicyObject):
    """A Tier-0 gateway."""

    kind: Literal["NsxTier0"] = "NsxTier0"
    ha_mode: str | None = None
    failover_mode: str | None = None


class NsxTier1(NsxPolicyObject):
    """A Tier-1 gateway and the Tier-0 it connects to."""

    kind: Literal["NsxTier1"] = "NsxTier1"
    failover_mode: str | None = None
    route_advertisement_types: list[str] = Field(default_factory=list)
    tier0: str | None = None


class NsxSegment(NsxPolicyObject):
    """A segment: transport zone, the gateway it connects to, subnets, VLANs."""

    kind: Literal["NsxSegment"] = "NsxSegment"
    segment_type: str | None = None
    transport_zone_path: str | None = None
    admin_state: str | None = None
    subnets: list[str] = Field(default_factory=list)
    """Subnet networks (``network``), or the gateway address where no network is given."""
    gateway_addresses: list[str] = Field(default_factory=list)
    vlan_ids: list[str] = Field(default_factory=list)
    connectivity: str | None = None
    """The Tier-0 / Tier-1 of ``connectivity_path``."""


class NsxService(NsxPolicyObject):
    """A service (ports and protocols) that rules refer to."""

    kind: Literal["NsxService"] = "NsxService"
    service_entries: list[str] = Field(default_factory=list)
    """One line per entry, e.g. ``TCP dst 443``."""


class NsxGroup(NsxPolicyObject):
    """A group: its membership expression and its effective VM members."""

    kind: Literal["NsxGroup"] = "NsxGroup"
    domain: str
    criteria: str = ""
    """The expression in words, e.g. ``VirtualMachine Tag EQUALS app|web AND (...)``."""
    expression: str = "[]"
    """The membership expression as JSON (server metadata dropped)."""
    ip_addresses: list[str] = Field(default_factory=list)
    """Addresses of its ``IPAddressExpression`` terms, at any depth."""
    includes: list[str] = Field(default_factory=list)
    """Objects named by its ``PathExpression`` terms (groups, segments...), at any depth."""
    members: list[str] = Field(default_factory=list)
    """Effective VM members (``NsxVirtualMachine`` ids), as NSX computes them."""
    members_from_nsx: bool = False
    """Whether ``members`` is NSX's effective membership (a live collection that read it);
    otherwise (exports) membership is evaluated from ``expression`` at derive time."""


class NsxSecurityPolicy(NsxPolicyObject):
    """A distributed firewall security policy or a gateway policy."""

    kind: Literal["NsxSecurityPolicy"] = "NsxSecurityPolicy"
    policy_type: Literal["distributed", "gateway"]
    domain: str
    category: str | None = None
    sequence_number: int | None = None
    stateful: bool | None = None
    tcp_strict: bool | None = None
    locked: bool | None = None
    scope: list[str] = Field(default_factory=list)
    """Policy-level applied-to (empty: everywhere the policy type enforces)."""


class NsxRule(NsxPolicyObject):
    """A rule of a security or gateway policy."""

    kind: Literal["NsxRule"] = "NsxRule"
    policy: str
    rule_id: int | None = None
    sequence_number: int | None = None
    action: str | None = None
    direction: str | None = None
    ip_protocol: str | None = None
    disabled: bool = False
    logged: bool = False
    notes: str | None = None
    log_label: str | None = None
    """The rule's ``tag`` (a label written to the firewall log)."""
    source_any: bool = False
    source_groups: list[str] = Field(default_factory=list)
    source_addresses: list[str] = Field(default_factory=list)
    """Raw IP addresses, ranges and CIDRs among ``source_groups``."""
    sources_excluded: bool = False
    destination_any: bool = False
    destination_groups: list[str] = Field(default_factory=list)
    destination_addresses: list[str] = Field(default_factory=list)
    destinations_excluded: bool = False
    services_any: bool = False
    services: list[str] = Field(default_factory=list)
    service_entries: list[str] = Field(default_factory=list)
    """Inline ``service_entries`` of the rule, one line each."""
    profiles: list[str] = Field(default_factory=list)
    scope: list[str] = Field(default_factory=list)
    """Rule-level applied-to (empty or ``ANY``: the policy's scope applies)."""


class NsxVirtualMachine(NsxRecord):
    """A VM as NSX sees it: its vCenter instance UUID (``external_id``) and its NSX tags."""

    kind: Literal["NsxVirtualMachine"] = "NsxVirtualMachine"
    external_id: str
    display_name: str
    power_state: str | None = None
    tags: list[str] = Field(default_factory=list)
