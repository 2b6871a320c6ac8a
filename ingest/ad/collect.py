"""Map one domain controller's directory to records, streaming paged searches.

Memory stays bounded: each object is turned into a record and handed to the sink as its page
arrives; large groups' members are fetched with explicit range retrieval
(``member;range=lo-hi``) and never held for more than one group at a time.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ldap3 import BASE, SUBTREE, Connection
from ldap3.utils.conv import escape_filter_chars

from app.records import ad as r
from app.records.contract import GapSink, Sink

log = logging.getLogger(__name__)

Raw = dict[str, list[bytes]]
"""An entry's raw attributes."""

PAGE_SIZE = 500
RANGE_STEP = 1500
UAC_DISABLED = 0x2
_RANGE = re.compile(r"^member;range=(\d+)-(\*|\d+)$", re.IGNORECASE)

COMMON = ["objectGUID", "objectSid", "distinguishedName", "name", "sAMAccountName", "whenChanged"]
USER_ATTRS = [
    *COMMON,
    "userPrincipalName",
    "displayName",
    "mail",
    "userAccountControl",
    "primaryGroupID",
]
GROUP_ATTRS = [*COMMON, "groupType", "description", "managedBy"]
COMPUTER_ATTRS = [*COMMON, "userAccountControl"]


@dataclass(frozen=True)
class DomainInfo:
    """Identity of the domain a DC serves, and of its forest."""

    sid: str
    netbios: str
    dns: str
    dn: str
    forest_dns: str

    @property
    def id(self) -> str:
        """The domain record id."""
        return f"ad:{self.sid}"


def dn_to_dns(dn: str) -> str:
    """``DC=corp,DC=example,DC=test`` → ``corp.example.test``."""
    return ".".join(
        p.split("=", 1)[1] for p in dn.split(",") if p.strip().upper().startswith("DC=")
    )


def _first(raw: dict[str, list[bytes]], name: str) -> bytes | None:
    for key, values in raw.items():
        if key.lower() == name.lower() and values:
            return values[0]
    return None


def _text(raw: dict[str, list[bytes]], name: str) -> str | None:
    value = _first(raw, name)
    return value.decode("utf-8") if value is not None else None


def _int(raw: dict[str, list[bytes]], name: str) -> int | None:
    value = _text(raw, name)
    return int(value) if value not in (None, "") else None


def _time(raw: dict[str, list[bytes]], name: str) -> datetime | None:
    value = _text(raw, name)
    if not value:
        return None
    return datetime.strptime(value.split(".")[0].rstrip("Z"), "%Y%m%d%H%M%S").replace(tzinfo=UTC)


def _guid(raw: dict[str, list[bytes]]) -> str:
    value = _first(raw, "objectGUID")
    if value is None:
        raise ValueError("object without objectGUID")
    return str(uuid.UUID(bytes_le=value))


def sid_text(value: bytes) -> str:
    """A binary SID as ``S-1-5-21-...``: revision, 48-bit big-endian authority, then
    little-endian 32-bit sub-authorities."""
    count = value[1]
    authority = int.from_bytes(value[2:8], "big")
    subs = [int.from_bytes(value[8 + 4 * i : 12 + 4 * i], "little") for i in range(count)]
    return "-".join(["S", str(value[0]), str(authority), *map(str, subs)])


def _sid(raw: dict[str, list[bytes]]) -> str | None:
    value = _first(raw, "objectSid")
    return sid_text(value) if value is not None else None


def domain_info(conn: Connection) -> DomainInfo:
    """Read the rootDSE, the domain object and its crossRef (NetBIOS and DNS names)."""
    info = conn.server.info
    if info is None:
        raise RuntimeError("the server did not return its rootDSE")
    default_nc = str(info.other["defaultNamingContext"][0])
    config_nc = str(info.other["configurationNamingContext"][0])
    root_nc = str(info.other.get("rootDomainNamingContext", [default_nc])[0])
    conn.search(default_nc, "(objectClass=*)", BASE, attributes=["objectSid"])
    sid = _sid(conn.response[0]["raw_attributes"]) if conn.response else None
    if sid is None:
        raise RuntimeError(f"cannot read the objectSid of {default_nc}")
    conn.search(
        f"CN=Partitions,{config_nc}",
        f"(&(objectClass=crossRef)(nCName={escape_filter_chars(default_nc)}))",
        SUBTREE,
        attributes=["nETBIOSName", "dnsRoot"],
    )
    entry = next((e for e in conn.response or [] if e.get("type") == "searchResEntry"), None)
    raw = entry["raw_attributes"] if entry else {}
    netbios = _text(raw, "nETBIOSName") or dn_to_dns(default_nc).split(".")[0].upper()
    dns = _text(raw, "dnsRoot") or dn_to_dns(default_nc)
    return DomainInfo(
        sid=sid, netbios=netbios, dns=dns, dn=default_nc, forest_dns=dn_to_dns(root_nc)
    )


def _paged(
    conn: Connection, base: str, search_filter: str, attributes: list[str], gap: GapSink
) -> Iterator[tuple[str, dict[str, list[bytes]]]]:
    entries = conn.extend.standard.paged_search(
        base,
        search_filter,
        SUBTREE,
        attributes=attributes,
        paged_size=PAGE_SIZE,
        generator=True,
    )
    for entry in entries:
        if entry.get("type") == "searchResEntry":
            yield entry["dn"], entry["raw_attributes"]
    result = conn.result or {}
    if result.get("result", 0) not in (0,):
        gap(f"search {search_filter}", str(result.get("description")), base)


def _take_range(raw: dict[str, list[bytes]]) -> tuple[list[str], int | None]:
    """The ``member`` values of an entry, and where the next range starts (None: complete)."""
    for key, values in raw.items():
        if key.lower().startswith("member"):
            match = _RANGE.match(key)
            more = match is not None and match.group(2) != "*"
            next_low = int(match.group(2)) + 1 if match is not None and more else None
            return [v.decode("utf-8") for v in values], next_low
    return [], None


def _members(
    conn: Connection, dn: str, first: dict[str, list[bytes]], step: int, gap: GapSink
) -> list[str]:
    """All ``member`` values of one group. The paged search already asked for the first range
    (``member;range=0-<step-1>``); the rest is fetched range by range, as AD requires for
    groups over MaxValRange (1,500) members."""
    members, low = _take_range(first)
    while low is not None:
        conn.search(
            dn, "(objectClass=*)", BASE, attributes=[f"member;range={low}-{low + step - 1}"]
        )
        entry = next((e for e in conn.response or [] if e.get("type") == "searchResEntry"), None)
        if entry is None:
            gap("group members", str((conn.result or {}).get("description")), dn)
            break
        values, low = _take_range(entry["raw_attributes"])
        members.extend(values)
    return members


def _scope(group_type: int) -> str:
    if group_type & 0x1:
        return "builtin"
    if group_type & 0x2:
        return "global"
    if group_type & 0x4:
        return "domain_local"
    if group_type & 0x8:
        return "universal"
    return "unknown"


def collect_domain(
    conn: Connection,
    sink: Sink,
    gap: GapSink,
    *,
    range_step: int = RANGE_STEP,
    base_dn: str | None = None,
) -> DomainInfo:
    """Collect the domain the connection's DC serves (searching under ``base_dn`` if given,
    else the whole domain); returns its identity."""
    dom = domain_info(conn)
    sink(
        r.ADDomain(
            id=dom.id,
            sid=dom.sid,
            netbios_name=dom.netbios,
            dns_name=dom.dns,
            dn=dom.dn,
            name=dom.dns,
        )
    )
    search = _Search(conn, dom, base_dn or dom.dn, sink, gap)
    search.users()
    search.groups(range_step)
    search.computers()
    search.foreign_principals()
    return dom


class _Search:
    """The paged searches of one domain, each object streamed to the sink as it arrives."""

    def __init__(
        self, conn: Connection, dom: DomainInfo, base: str, sink: Sink, gap: GapSink
    ) -> None:
        self.conn, self.dom, self.base, self.sink, self.gap = conn, dom, base, sink, gap

    def paged(self, search_filter: str, attributes: list[str]) -> Iterator[tuple[str, Raw]]:
        """Entries under the search base."""
        return _paged(self.conn, self.base, search_filter, attributes, self.gap)

    def common(self, dn: str, raw: Raw) -> dict[str, Any]:
        """The fields every principal record has."""
        sam = _text(raw, "sAMAccountName")
        return {
            "id": f"ad:{_guid(raw)}",
            "guid": _guid(raw),
            "sid": _sid(raw),
            "dn": dn,
            "dn_key": r.dn_key(dn),
            "name": _text(raw, "name") or dn,
            "domain": self.dom.id,
            "account_key": f"{self.dom.netbios}\\{sam}".lower() if sam else None,
        }

    def users(self) -> None:
        """Every person."""
        user_filter = "(&(objectCategory=person)(objectClass=user))"
        for dn, raw in self.paged(user_filter, USER_ATTRS):
            uac = _int(raw, "userAccountControl") or 0
            upn = _text(raw, "userPrincipalName")
            rid = _int(raw, "primaryGroupID")
            self.sink(
                r.ADUser(
                    **self.common(dn, raw),
                    sam_account_name=_text(raw, "sAMAccountName"),
                    upn=upn,
                    upn_key=upn.lower() if upn else None,
                    display_name=_text(raw, "displayName"),
                    mail=_text(raw, "mail"),
                    enabled=not uac & UAC_DISABLED,
                    when_changed=_time(raw, "whenChanged"),
                    primary_group_sid=f"{self.dom.sid}-{rid}" if rid else None,
                )
            )

    def groups(self, range_step: int) -> None:
        """Every group with all its direct members (range retrieval past ``range_step``)."""
        group_attrs = [*GROUP_ATTRS, f"member;range=0-{range_step - 1}"]
        for dn, raw in self.paged("(objectClass=group)", group_attrs):
            group_type = _int(raw, "groupType") or 0
            members = _members(self.conn, dn, raw, range_step, self.gap)
            managed_by = _text(raw, "managedBy")
            self.sink(
                r.ADGroup(
                    **self.common(dn, raw),
                    sam_account_name=_text(raw, "sAMAccountName"),
                    description=_text(raw, "description"),
                    scope=_scope(group_type),
                    security=bool(group_type & 0x80000000),
                    when_changed=_time(raw, "whenChanged"),
                    managed_by=r.dn_key(managed_by) if managed_by else None,
                    members=[r.dn_key(m) for m in members],
                    member_count=len(members),
                )
            )

    def computers(self) -> None:
        """Every computer account."""
        for dn, raw in self.paged("(objectClass=computer)", COMPUTER_ATTRS):
            uac = _int(raw, "userAccountControl") or 0
            self.sink(
                r.ADComputer(
                    **self.common(dn, raw),
                    sam_account_name=_text(raw, "sAMAccountName"),
                    enabled=not uac & UAC_DISABLED,
                )
            )

    def foreign_principals(self) -> None:
        """Every foreign security principal (members from trusted domains)."""
        for dn, raw in self.paged("(objectClass=foreignSecurityPrincipal)", COMMON):
            self.sink(r.ADForeignPrincipal(**self.common(dn, raw)))
