"""Records collected from Active Directory (ldap3).

Ids are ``ad:<objectGUID>`` for directory objects and ``ad:<domain SID>`` for domains, so a
renamed or moved account keeps its node. Membership and ``managedBy`` values are distinguished
names, normalised by :func:`dn_key` (lower case, no spaces around separators): the graph links
them to the principal whose ``dn_key`` matches, wherever it was collected.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import Field

from app.records.base import Record

_SPECIAL = ',+"\\<>;='


def _split_unescaped(text: str, separators: str) -> list[str]:
    parts, current, i = [], [], 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            current.append(text[i : i + 2])
            i += 2
            continue
        if char in separators:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    parts.append("".join(current))
    return parts


def _unescape(value: str) -> str:
    out, i = bytearray(), 0
    while i < len(value):
        if value[i] == "\\" and i + 1 < len(value):
            pair = value[i + 1 : i + 3]
            if len(pair) == 2 and all(c in "0123456789abcdefABCDEF" for c in pair):
                out.append(int(pair, 16))
                i += 3
                continue
            out.extend(value[i + 1].encode())
            i += 2
            continue
        out.extend(value[i].encode())
        i += 1
    return out.decode("utf-8", errors="replace")


def _escape(value: str) -> str:
    escaped = "".join(f"\\{c}" if c in _SPECIAL else c for c in value)
    if escaped.startswith(("#", " ")):
        escaped = "\\" + escaped
    if escaped.endswith(" ") and not escaped.endswith("\\ "):
        escaped = escaped[:-1] + "\\ "
    return escaped


def dn_key(dn: str) -> str:
    """A canonical comparison key for a DN. AD compares DNs case-insensitively, ignores spaces
    around separators and accepts several escapings of one character (``\\+``, ``\\2B``):
    each value is unescaped, lower-cased and escaped again one way."""
    rdns = []
    for rdn in _split_unescaped(dn.strip(), ","):
        avas = []
        for ava in _split_unescaped(rdn, "+"):
            attr, _, value = ava.partition("=")
            avas.append(f"{attr.strip().lower()}={_escape(_unescape(value.strip()).lower())}")
        rdns.append("+".join(avas))
    return ",".join(rdns)


class ADRecord(Record):
    """Base of every Active Directory record."""

    source_kind: ClassVar[str] = "ad"


class ADDomain(ADRecord):
    """A domain of the forest: its SID, NetBIOS and DNS names."""

    kind: Literal["ADDomain"] = "ADDomain"
    sid: str
    netbios_name: str
    dns_name: str
    dn: str
    name: str


class ADPrincipalRecord(ADRecord):
    """Fields shared by users, groups and foreign security principals."""

    kind: str
    guid: str
    sid: str | None = None
    dn: str
    dn_key: str
    name: str
    domain: str | None = None
    account_key: str | None = None
    """``netbios\\samaccountname`` in lower case: how vCenter names the principal."""


class ADUser(ADPrincipalRecord):
    """A user account."""

    kind: Literal["ADUser"] = "ADUser"
    sam_account_name: str | None = None
    upn: str | None = None
    upn_key: str | None = None
    display_name: str | None = None
    mail: str | None = None
    enabled: bool = True
    when_changed: datetime | None = None
    primary_group_sid: str | None = None


class ADGroup(ADPrincipalRecord):
    """A group, with its direct members (DN keys) and its manager."""

    kind: Literal["ADGroup"] = "ADGroup"
    sam_account_name: str | None = None
    description: str | None = None
    scope: Literal["global", "domain_local", "universal", "builtin", "unknown"] = "unknown"
    security: bool = True
    when_changed: datetime | None = None
    managed_by: str | None = None
    members: list[str] = Field(default_factory=list)
    member_count: int = 0


class ADForeignPrincipal(ADPrincipalRecord):
    """A foreign security principal: a member from another domain or forest, known by SID."""

    kind: Literal["ADForeignPrincipal"] = "ADForeignPrincipal"


class ADComputer(ADPrincipalRecord):
    """A computer account (collected so group memberships resolve; rarely granted rights)."""

    kind: Literal["ADComputer"] = "ADComputer"
    sam_account_name: str | None = None
    enabled: bool = True
