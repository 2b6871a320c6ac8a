"""Proxmox VE access, HA, firewall and SDN records (inventory: :mod:`app.records.proxmox`).

Ids follow :func:`app.records.proxmox.object_id`. An ACL entry's key is
``<path>|<type>|<subject>|<role>``; a firewall rule's is ``<scope>|<position>`` (positions change
when rules are inserted, so a rule is compared by content, never by id alone).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from app.records.proxmox import PveRecord


class PveRealm(PveRecord):
    """An authentication realm (``pam``, ``pve``, ``ad``, ``ldap``, ``openid``) and, for a
    directory realm, what it syncs from."""

    kind: Literal["PveRealm"] = "PveRealm"
    cluster: str
    name: str
    realm_type: str
    domain: str | None = None
    servers: list[str] = Field(default_factory=list)
    base_dn: str | None = None
    sync_options: str | None = None
    """``sync-defaults-options`` as PVE writes it (scope, enable-new, remove-vanished)."""
    group_filter: str | None = None
    case_sensitive: bool | None = None


class PveUser(PveRecord):
    """A user (``alice@corp``) and its API tokens."""

    kind: Literal["PveUser"] = "PveUser"
    cluster: str
    userid: str
    realm: str
    """The realm record's id."""
    enabled: bool = True
    expire: int | None = None
    groups: list[str] = Field(default_factory=list)
    """Group record ids."""
    tokens: list[str] = Field(default_factory=list)
    """Token ids (``alice@corp!ci``)."""
    privsep_tokens: list[str] = Field(default_factory=list)
    """The tokens with privilege separation on (their own ACLs, cut to the user's)."""


class PveGroup(PveRecord):
    """A group; PVE's AD/LDAP sync names a synced group ``<name>-<realm>``."""

    kind: Literal["PveGroup"] = "PveGroup"
    cluster: str
    name: str
    comment: str | None = None
    members: list[str] = Field(default_factory=list)
    """User record ids."""


class PveRole(PveRecord):
    """A role and its privileges (``special``: a built-in role)."""

    kind: Literal["PveRole"] = "PveRole"
    cluster: str
    name: str
    privileges: list[str] = Field(default_factory=list)
    builtin: bool = False


class PveAcl(PveRecord):
    """One ACL entry: ``role`` for a user, group or token on ``path``."""

    kind: Literal["PveAcl"] = "PveAcl"
    cluster: str
    path: str
    subject_type: Literal["user", "group", "token"]
    subject: str
    """The user id, group id or token id as PVE writes it."""
    role: str
    """The role record's id."""
    role_name: str
    propagate: bool = True


class PveHaResource(PveRecord):
    """An HA-managed guest (``vm:101``): requested state and restart/relocate limits."""

    kind: Literal["PveHaResource"] = "PveHaResource"
    cluster: str
    sid: str
    guest: str | None = None
    """The guest record's id (when the guest is in the inventory)."""
    state: str = "started"
    max_restart: int | None = None
    max_relocate: int | None = None
    group: str | None = None
    """PVE 8: the HA group record's id."""
    failback: bool | None = None


class PveHaGroup(PveRecord):
    """A PVE 8 HA group: preferred nodes with priorities; ``restricted`` keeps guests on them."""

    kind: Literal["PveHaGroup"] = "PveHaGroup"
    cluster: str
    name: str
    nodes: dict[str, int] = Field(default_factory=dict)
    """Node name → priority (higher first; PVE's default is 0)."""
    restricted: bool = False
    nofailback: bool = False


class PveHaRule(PveRecord):
    """A PVE 9 HA rule: ``node-affinity`` (nodes with priorities, ``strict``) or
    ``resource-affinity`` (``positive``: together; ``negative``: apart)."""

    kind: Literal["PveHaRule"] = "PveHaRule"
    cluster: str
    name: str
    rule_type: Literal["node-affinity", "resource-affinity"]
    resources: list[str] = Field(default_factory=list)
    """HA resource ids (``vm:101``)."""
    guests: list[str] = Field(default_factory=list)
    """Guest record ids of those resources."""
    nodes: dict[str, int] = Field(default_factory=dict)
    strict: bool | None = None
    affinity: Literal["positive", "negative"] | None = None
    disabled: bool = False


class PveFirewallOptions(PveRecord):
    """A firewall's options at one scope (``cluster``, ``node/<n>``, ``guest/<vmid>``)."""

    kind: Literal["PveFirewallOptions"] = "PveFirewallOptions"
    cluster: str
    scope: str
    enabled: bool = False
    policy_in: str | None = None
    policy_out: str | None = None
    policy_forward: str | None = None


class PveFirewallRule(PveRecord):
    """A firewall rule at a scope, or in a security group (scope ``group/<name>``)."""

    kind: Literal["PveFirewallRule"] = "PveFirewallRule"
    cluster: str
    scope: str
    pos: int
    direction: str
    """``in``, ``out``, ``forward``, or ``group`` (the rule applies a security group)."""
    action: str
    """``ACCEPT``/``DROP``/``REJECT``, or the security group's name for ``group`` rules."""
    enabled: bool = False
    source: str | None = None
    dest: str | None = None
    proto: str | None = None
    dport: str | None = None
    sport: str | None = None
    macro: str | None = None
    iface: str | None = None
    comment: str | None = None


class PveSecurityGroup(PveRecord):
    """A security group: a named, reusable list of rules (not a membership)."""

    kind: Literal["PveSecurityGroup"] = "PveSecurityGroup"
    cluster: str
    name: str
    comment: str | None = None


class PveIpSet(PveRecord):
    """A cluster IP set and its entries (``!``: ``nomatch``)."""

    kind: Literal["PveIpSet"] = "PveIpSet"
    cluster: str
    name: str
    cidrs: list[str] = Field(default_factory=list)
    nomatch: list[str] = Field(default_factory=list)


class PveAlias(PveRecord):
    """A cluster firewall alias (a name for an address or network)."""

    kind: Literal["PveAlias"] = "PveAlias"
    cluster: str
    name: str
    cidr: str


class PveSdnZone(PveRecord):
    """An SDN zone (``simple``, ``vlan``, ``qinq``, ``vxlan``, ``evpn``)."""

    kind: Literal["PveSdnZone"] = "PveSdnZone"
    cluster: str
    name: str
    zone_type: str
    bridge: str | None = None


class PveVnet(PveRecord):
    """An SDN VNet: a guest-facing bridge with a VLAN (or VXLAN) ``tag`` in its zone."""

    kind: Literal["PveVnet"] = "PveVnet"
    cluster: str
    name: str
    in_zone: str | None = None
    """The zone record's id."""
    tag: int | None = None
    alias: str | None = None
    subnets: list[str] = Field(default_factory=list)
    """Subnet CIDRs."""
