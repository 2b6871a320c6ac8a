"""SharpHound objects -> the AD records the LDAP collector makes (``app.records.ad``).

Keys: a record's id is ``ad:<objectGUID>`` when SharpHound wrote the ``objectguid`` property
(SharpHound CE does, for every object), exactly the LDAP collector's id, so a SharpHound and an
LDAP collection of one domain reach the same nodes. An object without it (older collectors)
is keyed by its object identifier (``ad:<SID>``) and cannot meet an LDAP node. Well-known SIDs
SharpHound prefixes with the domain (``CORP.EXAMPLE.TEST-S-1-5-32-544``) keep the prefix in the
id and lose it in ``sid``. Members are SIDs in SharpHound and DN keys in the records: each
member is looked up among the collected objects; a member from another domain, or a well-known
SID no collected group carries (``S-1-5-11``), is named as AD stores it, by its foreign security
principal's DN (``CN=<SID>,CN=ForeignSecurityPrincipals,<domain>``): SharpHound does not write
foreign security principals as objects, so that link lands on the node an LDAP collection made
and is reported as skipped without one. A member of the same domain that the collection lacks
is reported once per file as a gap.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from app.records import ad as r
from app.records.base import Record
from ingest.sharphound.files import CollectionFile

_PREFIXED = re.compile(r"^(?P<domain>.+)-(?P<sid>S-1-5-32-\d+|S-1-\d+(-\d+)*)$", re.IGNORECASE)


def plain_sid(identifier: str) -> str:
    """``CORP.EXAMPLE.TEST-S-1-5-32-544`` -> ``S-1-5-32-544``; a plain SID unchanged."""
    if identifier.upper().startswith("S-1-"):
        return identifier
    match = _PREFIXED.match(identifier)
    return match.group("sid") if match else identifier


def rdn_value(dn: str) -> str:
    """The value of a DN's first RDN, unescaped (``CN=Smith\\, John,OU=..`` -> ``Smith, John``)."""
    out, i = [], dn.find("=") + 1
    while i < len(dn):
        char = dn[i]
        if char == "\\" and i + 1 < len(dn):
            pair = dn[i + 1 : i + 3]
            if len(pair) == 2 and all(c in "0123456789abcdefABCDEF" for c in pair):
                out.append(chr(int(pair, 16)))
                i += 3
                continue
            out.append(dn[i + 1])
            i += 2
            continue
        if char in ",+":
            break
        out.append(char)
        i += 1
    return "".join(out).strip()


def dns_to_dn(dns: str) -> str:
    """``corp.example.test`` -> ``DC=corp,DC=example,DC=test``."""
    return ",".join(f"DC={part}" for part in dns.split("."))


@dataclass
class Domain:
    """What the records need of a domain."""

    sid: str
    dns: str
    netbios: str
    dn: str

    @property
    def id(self) -> str:
        """The ADDomain record id (the LDAP collector's)."""
        return f"ad:{self.sid}"


@dataclass
class Converter:
    """Turns the checked files of one collection into records, in load order."""

    files: list[CollectionFile]
    domains: dict[str, Domain] = field(default_factory=dict)
    dn_of: dict[str, str] = field(default_factory=dict)
    """Object identifier (upper case) -> DN key, of every collected principal."""
    gaps: list[tuple[str, str, str | None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        for f in self.files:
            for item in f.data:
                props = item["Properties"]
                if f.type == "domains":
                    dns = str(props.get("name") or props.get("domain") or "").lower()
                    self._domain(item["ObjectIdentifier"], dns, props)
                elif props.get("distinguishedname"):
                    self.dn_of[item["ObjectIdentifier"].upper()] = r.dn_key(
                        str(props["distinguishedname"])
                    )
        for f in self.files:  # domains named only by their objects
            for item in f.data:
                props = item["Properties"]
                sid = str(props.get("domainsid") or "")
                if sid and sid not in self.domains and props.get("domain"):
                    dn = str(props.get("distinguishedname") or "")
                    parts = [p for p in dn.split(",") if p.strip().upper().startswith("DC=")]
                    self._domain(
                        sid, str(props["domain"]).lower(), {"distinguishedname": ",".join(parts)}
                    )

    def _domain(self, sid: str, dns: str, props: dict[str, Any]) -> None:
        dn = str(props.get("distinguishedname") or "") or dns_to_dn(dns)
        netbios = str(props.get("netbios") or dns.split(".")[0]).upper()
        self.domains[sid] = Domain(sid, dns, netbios, dn)

    def records(self) -> Iterator[Record]:
        """Every record: domains, then users, groups (with foreign members) and computers."""
        for dom in self.domains.values():
            yield r.ADDomain(
                id=dom.id,
                sid=dom.sid,
                netbios_name=dom.netbios,
                dns_name=dom.dns,
                dn=dom.dn,
                name=dom.dns,
            )
        for f in self.files:
            if f.type == "domains":
                continue
            missing: list[str] = []
            for item in f.data:
                yield from self._object(f.type, item, missing)
            if missing:
                self.gaps.append(
                    (
                        f"{f.name} group members",
                        f"{len(missing)} member(s) of the domain are "
                        f"not in the collection (e.g. {missing[0]})",
                        None,
                    )
                )

    def common(self, item: dict[str, Any]) -> dict[str, Any]:
        """The fields every principal record has."""
        props, identifier = item["Properties"], item["ObjectIdentifier"]
        guid = str(props.get("objectguid") or "").lower()
        dn = str(props.get("distinguishedname") or "")
        dom = self.domains.get(str(props.get("domainsid") or ""))
        sam = props.get("samaccountname") or str(props.get("name") or "").partition("@")[0]
        return {
            "id": f"ad:{guid or identifier}",
            "guid": guid,
            "sid": plain_sid(identifier),
            "dn": dn,
            "dn_key": r.dn_key(dn),
            "name": rdn_value(dn) if dn else str(props.get("name") or identifier),
            "domain": dom.id if dom else None,
            "account_key": f"{dom.netbios}\\{sam}".lower() if dom and sam else None,
            "sam_account_name": sam or None,
        }

    def _object(self, kind: str, item: dict[str, Any], missing: list[str]) -> Iterator[Record]:
        props, base = item["Properties"], self.common(item)
        enabled = bool(props.get("enabled", True))
        if kind == "users":
            upn = props.get("userprincipalname")
            yield r.ADUser(
                **base,
                upn=upn,
                upn_key=upn.lower() if upn else None,
                display_name=props.get("displayname"),
                mail=props.get("email"),
                enabled=enabled,
                primary_group_sid=item.get("PrimaryGroupSID"),
            )
        elif kind == "computers":
            if not props.get("samaccountname"):
                base["sam_account_name"] = str(props.get("name", "")).split(".")[0] + "$"
            dom = self.domains.get(str(props.get("domainsid") or ""))
            if dom:
                base["account_key"] = f"{dom.netbios}\\{base['sam_account_name']}".lower()
            yield r.ADComputer(**base, enabled=enabled)
        else:
            members = self._members(item, base["domain"], missing)
            yield r.ADGroup(
                **base,
                description=props.get("description"),
                members=members,
                member_count=len(members),
            )

    def _members(
        self, item: dict[str, Any], domain_id: str | None, missing: list[str]
    ) -> list[str]:
        """The DN keys of a group's members (foreign and well-known ones as AD names them)."""
        dom = next((d for d in self.domains.values() if d.id == domain_id), None)
        keys: list[str] = []
        for member in item.get("Members") or []:
            identifier = (
                str(member.get("ObjectIdentifier") or "") if isinstance(member, dict) else ""
            )
            if identifier.upper() in self.dn_of:
                keys.append(self.dn_of[identifier.upper()])
                continue
            sid = plain_sid(identifier)
            if dom is None or not sid.upper().startswith("S-1-") or sid.startswith(f"{dom.sid}-"):
                missing.append(identifier)
                continue
            keys.append(r.dn_key(f"CN={sid},CN=ForeignSecurityPrincipals,{dom.dn}"))
        return keys
