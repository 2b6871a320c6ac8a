"""The project's Samba domain in SharpHound CE's output format, read over LDAP.

SharpHound is a .NET collector that runs on a domain-joined Windows host; it cannot run here.
This converter reads the real Samba AD DC with ldap3 and writes what SharpHound CE writes for
users, groups, computers and the domain (``meta.version`` 6, one ``<stamp>_<type>.json`` per
type in a zip, ``meta.count`` the number of objects), following SharpHoundCommon's
conventions: the object identifier is the SID (well-known ``S-1-5-32-*`` SIDs prefixed with
the upper-case domain name), ``name`` is ``SAM@DOMAIN`` (computers ``HOST.DOMAIN``) and the
distinguished name are upper case, ``objectguid`` is the upper-case GUID, group members are
``{ObjectIdentifier, ObjectType}`` by SID, users carry ``PrimaryGroupSID``. It shares no code
with authmap's LDAP collector or SharpHound importer (the oracle and the subject stay apart).
"""

from __future__ import annotations

import json
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ldap3 import BASE, SUBTREE, Connection

USERS = "(samAccountType=805306368)"
COMPUTERS = "(samAccountType=805306369)"
GROUPS = "(objectClass=group)"
FOREIGN = "(objectClass=foreignSecurityPrincipal)"
ATTRS = [
    "objectGUID",
    "objectSid",
    "distinguishedName",
    "sAMAccountName",
    "userAccountControl",
    "primaryGroupID",
    "displayName",
    "mail",
    "description",
    "member",
    "objectClass",
]


def _sid(raw: bytes) -> str:
    subs = [int.from_bytes(raw[8 + 4 * i : 12 + 4 * i], "little") for i in range(raw[1])]
    return "-".join(["S", str(raw[0]), str(int.from_bytes(raw[2:8], "big")), *map(str, subs)])


def _search(conn: Connection, base: str, flt: str) -> Iterator[dict[str, Any]]:
    for entry in conn.extend.standard.paged_search(
        base, flt, SUBTREE, attributes=ATTRS, paged_size=500, generator=True
    ):
        if entry.get("type") == "searchResEntry":
            yield {"dn": entry["dn"], **entry["raw_attributes"]}


def _text(entry: dict[str, Any], name: str) -> str | None:
    for key, values in entry.items():
        if key.lower() == name.lower() and isinstance(values, list) and values:
            return bytes(values[0]).decode()
    return None


class SambaToSharpHound:
    """Reads one domain over ``conn`` (bound, ``auto_range`` on) and writes its collection."""

    def __init__(self, conn: Connection, base_dn: str) -> None:
        self.conn, self.base = conn, base_dn
        conn.search(base_dn, "(objectClass=*)", BASE, attributes=["objectSid"])
        self.domain_sid = _sid(self._first(conn)["raw_attributes"]["objectSid"][0])
        self.dns = ".".join(p.split("=", 1)[1] for p in base_dn.split(","))
        info = conn.server.info
        assert info is not None, "bind with get_info to read the rootDSE"
        config = str(info.other["configurationNamingContext"][0])
        conn.search(
            f"CN=Partitions,{config}", f"(nCName={base_dn})", SUBTREE, attributes=["nETBIOSName"]
        )
        netbios = self._first(conn)["attributes"]["nETBIOSName"]
        self.netbios = str(netbios[0] if isinstance(netbios, list) else netbios)
        self.sid_of: dict[str, tuple[str, str]] = {}  # DN (lower) -> (identifier, type)

    @staticmethod
    def _first(conn: Connection) -> dict[str, Any]:
        found = [e for e in conn.response or [] if e.get("type") == "searchResEntry"]
        assert found, f"nothing found: {conn.result}"
        return dict(found[0])

    def identifier(self, entry: dict[str, Any]) -> str:
        """SharpHound's object identifier: the SID, well-known ones (not ``S-1-5-21-``)
        prefixed with the upper-case domain name."""
        sid = _sid(entry["objectSid"][0])
        return sid if sid.startswith("S-1-5-21-") else f"{self.dns.upper()}-{sid}"

    def _props(self, entry: dict[str, Any], name: str) -> dict[str, Any]:
        props: dict[str, Any] = {
            "domain": self.dns.upper(),
            "name": name,
            "domainsid": self.domain_sid,
            "distinguishedname": entry["dn"].upper(),
            "samaccountname": _text(entry, "sAMAccountName"),
            "objectguid": str(uuid.UUID(bytes_le=bytes(entry["objectGUID"][0]))).upper(),
        }
        for attr, key in (
            ("description", "description"),
            ("displayName", "displayname"),
            ("mail", "email"),
        ):
            if _text(entry, attr) is not None:
                props[key] = _text(entry, attr)
        uac = _text(entry, "userAccountControl")
        if uac is not None:
            props["enabled"] = not int(uac) & 2
        return props

    def collection(self) -> dict[str, list[dict[str, Any]]]:
        """``type -> data`` of the four files."""
        found: dict[str, list[dict[str, Any]]] = {"users": [], "groups": [], "computers": []}
        kinds = (
            ("users", USERS, "User"),
            ("computers", COMPUTERS, "Computer"),
            ("groups", GROUPS, "Group"),
            ("foreign", FOREIGN, "Base"),
        )
        entries = {k: list(_search(self.conn, self.base, f)) for k, f, _ in kinds}
        for kind, _, label in kinds:
            for e in entries[kind]:
                self.sid_of[e["dn"].lower()] = (self.identifier(e), label)
        for e in entries["users"]:
            rid = _text(e, "primaryGroupID")
            found["users"].append(
                {
                    "ObjectIdentifier": self.identifier(e),
                    "Properties": self._props(
                        e, f"{_text(e, 'sAMAccountName')}@{self.dns}".upper()
                    ),
                    "PrimaryGroupSID": f"{self.domain_sid}-{rid}" if rid else None,
                    "Aces": [],
                }
            )
        for e in entries["computers"]:
            host = str(_text(e, "sAMAccountName")).rstrip("$")
            found["computers"].append(
                {
                    "ObjectIdentifier": self.identifier(e),
                    "Properties": self._props(e, f"{host}.{self.dns}".upper()),
                    "Aces": [],
                }
            )
        for e in entries["groups"]:
            members = [
                self.sid_of[bytes(m).decode().lower()]
                for k, vs in e.items()
                if k.lower().startswith("member")
                for m in vs
                if bytes(m).decode().lower() in self.sid_of
            ]
            found["groups"].append(
                {
                    "ObjectIdentifier": self.identifier(e),
                    "Properties": self._props(
                        e, f"{_text(e, 'sAMAccountName')}@{self.dns}".upper()
                    ),
                    "Members": [{"ObjectIdentifier": i, "ObjectType": t} for i, t in members],
                    "Aces": [],
                }
            )
        return found

    def domain(self) -> dict[str, Any]:
        """The domains file's one object."""
        return {
            "ObjectIdentifier": self.domain_sid,
            "Aces": [],
            "Trusts": [],
            "Properties": {
                "domain": self.dns.upper(),
                "name": self.dns.upper(),
                "domainsid": self.domain_sid,
                "distinguishedname": self.base.upper(),
                "netbios": self.netbios,
            },
        }

    def write_zip(self, path: Path, stamp: str = "20261204000000") -> Path:
        """The collection as SharpHound zips it."""
        files = {**self.collection(), "domains": [self.domain()]}
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for kind, data in files.items():
                meta = {"methods": 0, "type": kind, "count": len(data), "version": 6}
                archive.writestr(f"{stamp}_{kind}.json", json.dumps({"data": data, "meta": meta}))
        return path
