"""Odd directory data survives the AD collector, the load and the permission engine exactly.

A real Samba AD DC on 127.0.0.41 gets, in an OU whose own name needs escaping: users and
groups with non-ASCII names (accents, CJK, Greek, an emoji), DNs that need every kind of
escaping (comma, plus, quote, backslash, angle brackets, semicolon, '=', a leading '#', a
trailing space), a 64-character CN and a 1,024-character description, a three-group
membership cycle and a chain of ten nested groups. After ``authmap ingest ad`` the graph holds
the exact names and the DNs the server returns, one MEMBER_OF edge per direct membership,
and transitive membership equal to the server's own LDAP_MATCHING_RULE_IN_CHAIN answer.
vCenter permissions granted to the escaped, the Unicode, the cyclic and the tenth-level group
resolve, and ``authmap who-can`` reaches every member through them.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from ldap3 import BASE, MODIFY_ADD, SIMPLE, SUBTREE, Connection, Server, Tls
from ldap3.utils.conv import escape_filter_chars
from pyVim.connect import Disconnect
from pyVmomi import vim

from app.records.ad import dn_key
from tests.conftest import Neo4jInstance, query, run_cli
from tests.support.dc41 import ADDRESS, dc41, self_signed_cert
from tests.support.samba_ad import (
    GROUP_GLOBAL_SECURITY,
    USER_PASSWORD,
    SambaDC,
    escape_rdn_value,
)
from tests.support.vcsim import VcsimServer, ensure_vcsim_binary
from tests.support.vsphere import connect, find, set_permissions

IN_CHAIN = "1.2.840.113556.1.4.1941"
OU_NAME = 'Ödd "Objects", Ünits'
LONG_CN = "Lönger-" + "x" * 50 + "-end-64"
LONG_DESCRIPTION = ("Beschreibung mit Ümläuten, 漢字 und Sonderzeichen <>&\"' — " * 20)[:1024]

# sAMAccountName -> CN of each user (ASCII sAMAccountNames, at most 20 characters).
USERS = {
    "zoe": "Zoë Ångström-Ødegård",
    "yamada": "山田 太郎",
    "eleni": "Ελένη Παπαδοπούλου 🚀",
    "smith": 'Smith, John + "Jr" <CFO>; ok',
    "hash": "#hash lead",
    "trailing": "trailing space ",
    "equals": "a=b\\c",
    "long": LONG_CN,
    "deep": "deep user",
    "cyclist": "cyclist",
}
# sAMAccountName -> (CN, direct members: user sams or group sams)
ESCAPED = "grp-escaped"
UNICODE_GROUP = "grp-ünï-🚀"
GROUPS: dict[str, tuple[str, list[str]]] = {
    ESCAPED: (
        'Grp, Escaped + "Quoted" <x>; y\\z = #1',
        ["zoe", "yamada", "smith", "equals"],
    ),
    "grp-hash": ("#Leading hash group ", ["hash", "trailing"]),
    UNICODE_GROUP: ("グループ 🚀 Ωmega", ["eleni", "long", ESCAPED]),
    "grp-long": (LONG_CN, ["long"]),
    "cycle-1": ("cycle-1, α", ["cycle-3", "cyclist"]),  # noqa: RUF001 - Greek on purpose
    "cycle-2": ("cycle-2 + β", ["cycle-1"]),
    "cycle-3": ('cycle-3 "γ"', ["cycle-2"]),  # noqa: RUF001 - Greek on purpose
    "nest-01": ("nest-01", ["deep"]),
    **{f"nest-{i:02d}": (f"nest-{i:02d}", [f"nest-{i - 1:02d}"]) for i in range(2, 11)},
}
GRANTED = (ESCAPED, UNICODE_GROUP, "cycle-2", "nest-10")


@dataclass
class Directory:
    """The running DC and the DN of every object this module created, by sAMAccountName."""

    dc: SambaDC
    ca_file: Path
    ou: str
    dns: dict[str, str]


def _admin(dc: SambaDC, ca_file: Path) -> Connection:
    tls = Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=str(ca_file))
    server = Server(dc.address, port=636, use_ssl=True, tls=tls)
    conn = Connection(server, dc.admin_dn, dc.admin_password, authentication=SIMPLE)
    assert conn.bind(), conn.result
    return conn


def _rdn(value: str) -> str:
    """RFC 4514 escaping, plus '=' (Samba refuses an unescaped '=' in a DN-valued attribute)."""
    return escape_rdn_value(value).replace("=", "\\=")


def _populate(conn: Connection, base_dn: str) -> tuple[str, dict[str, str]]:
    """Add the odd OU, users and groups; return the OU's DN and every object's DN."""
    ou = f"OU={_rdn(OU_NAME)},{base_dn}"
    assert conn.add(ou, ["top", "organizationalUnit"]), conn.result
    dns: dict[str, str] = {}
    for sam, cn in USERS.items():
        dns[sam] = f"CN={_rdn(cn)},{ou}"
        user = {"sAMAccountName": sam, "userPrincipalName": f"{sam}@corp.example.test",
                "displayName": cn, "unicodePwd": f'"{USER_PASSWORD}"'.encode("utf-16-le"),
                "userAccountControl": 512}  # fmt: skip
        classes = ["top", "person", "organizationalPerson", "user"]
        assert conn.add(dns[sam], classes, user), (cn, conn.result)
    for sam, (cn, _) in GROUPS.items():
        # The user "long" has LONG_CN in the OU already: grp-long lives in CN=Users.
        parent = ou if sam != "grp-long" else f"CN=Users,{base_dn}"
        dns[sam] = f"CN={_rdn(cn)},{parent}"
        attrs: dict[str, Any] = {"sAMAccountName": sam, "groupType": GROUP_GLOBAL_SECURITY}
        if sam == "grp-long":
            attrs["description"] = LONG_DESCRIPTION
        assert conn.add(dns[sam], ["top", "group"], attrs), (cn, conn.result)
    for sam, (_, members) in GROUPS.items():
        values = [dns[m] for m in members]
        assert conn.modify(dns[sam], {"member": [(MODIFY_ADD, values)]}), (sam, conn.result)
    return ou, dns


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Directory]:
    """Samba on 127.0.0.41 holding the odd objects."""
    cert, key = self_signed_cert(tmp_path_factory.mktemp("tls"), ADDRESS)
    with dc41(cert, key) as dc:
        conn = _admin(dc, cert)
        try:
            ou, dns = _populate(conn, dc.base_dn)
        finally:
            conn.unbind()
        yield Directory(dc, cert, ou, dns)


@pytest.fixture(scope="module")
def sim() -> Iterator[VcsimServer]:
    """vcsim with ReadOnly on DC0 for the escaped, Unicode, cyclic and deepest groups."""
    with VcsimServer(ensure_vcsim_binary(), cluster=1, host=1, vm=1, standalone_host=0) as s:
        si = connect(s)
        try:
            content = si.RetrieveContent()
            dc0 = find(content, vim.Datacenter, "DC0")
            grants = [(f"CORP\\{sam}", True, "ReadOnly", "DC0", True) for sam in GRANTED]
            set_permissions(content.authorizationManager, {"DC0": dc0}, grants, {"ReadOnly": -2})
        finally:
            Disconnect(si)
        yield s


@pytest.fixture(scope="module")
def ingested(neo4j_instance: Neo4jInstance, directory: Directory, sim: VcsimServer) -> Directory:
    """Both sources ingested through the command line into an emptied graph."""
    db = neo4j_instance
    db.cli("db", "reset", "--yes", check=True)
    env = {**db.env, "AD_PW": directory.dc.admin_password, "VC_PW": sim.password}
    vc = run_cli("ingest", "vcenter", "--server", f"{sim.host}:{sim.port}", "--user",
                 sim.username, "--password-env", "VC_PW", "--insecure", env=env)  # fmt: skip
    assert vc.returncode == 0, vc.stderr
    ad = run_cli("ingest", "ad", "--server", directory.dc.ldaps_url, "--ca-file",
                 str(directory.ca_file), "--user", directory.dc.admin_dn,
                 "--password-env", "AD_PW", env=env)  # fmt: skip
    assert ad.returncode == 0, ad.stderr
    assert "complete" in ad.stdout and "gap:" not in ad.stderr, ad.stderr
    return directory


def test_names_and_dns_are_exact(neo4j_instance: Neo4jInstance, ingested: Directory) -> None:
    """Every odd object: the name as created (Unicode, spaces, punctuation intact), the DN the
    server returns, and a dn_key equal to that of the DN we built."""
    conn = _admin(ingested.dc, ingested.ca_file)
    try:
        for sam, dn in ingested.dns.items():
            label = "ADUser" if sam in USERS else "ADGroup"
            want = USERS[sam] if sam in USERS else GROUPS[sam][0]
            assert conn.search(dn, "(objectClass=*)", BASE, attributes=["distinguishedName"])
            server_dn = (conn.response or [{}])[0]["dn"]
            rows = query(
                neo4j_instance,
                f"MATCH (p:{label} {{sam_account_name: $sam}}) "
                "RETURN p.name AS name, p.dn AS dn, p.dn_key AS key, p.account_key AS account",
                sam=sam,
            )
            assert rows == [
                {"name": want, "dn": server_dn, "key": dn_key(dn), "account": f"corp\\{sam}"}
            ], (sam, server_dn)
            assert dn_key(server_dn) == dn_key(dn)
    finally:
        conn.unbind()
    displays = query(
        neo4j_instance,
        "MATCH (u:ADUser) WHERE u.sam_account_name IN $sams "
        "RETURN u.sam_account_name AS sam, u.display_name AS display, u.enabled AS enabled",
        sams=list(USERS),
    )
    assert {r["sam"]: (r["display"], r["enabled"]) for r in displays} == {
        sam: (cn, True) for sam, cn in USERS.items()
    }
    long_group = query(
        neo4j_instance,
        "MATCH (g:ADGroup {sam_account_name: 'grp-long'}) RETURN g.name AS n, g.description AS d",
    )
    assert long_group == [{"n": LONG_CN, "d": LONG_DESCRIPTION}]
    assert len(LONG_CN) == 64 and len(LONG_DESCRIPTION) == 1024
    ou = query(neo4j_instance, "MATCH (u:ADUser {sam_account_name: 'zoe'}) RETURN u.dn AS dn")
    assert ou[0]["dn"].endswith(ingested.ou)


def test_membership_edges_are_exact(neo4j_instance: Neo4jInstance, ingested: Directory) -> None:
    """One MEMBER_OF edge per direct membership, between the right nodes, cycle included."""
    rows = query(
        neo4j_instance,
        "MATCH (m:ADPrincipal)-[:MEMBER_OF]->(g:ADGroup) WHERE g.sam_account_name IN $groups "
        "RETURN m.sam_account_name AS member, g.sam_account_name AS grp",
        groups=list(GROUPS),
    )
    got = sorted((r["grp"], r["member"]) for r in rows)
    want = sorted((g, m) for g, (_, members) in GROUPS.items() for m in members)
    assert got == want
    counts = query(
        neo4j_instance,
        "MATCH (g:ADGroup) WHERE g.sam_account_name IN $groups "
        "RETURN g.sam_account_name AS grp, g.member_count AS n",
        groups=list(GROUPS),
    )
    assert {r["grp"]: r["n"] for r in counts} == {g: len(m) for g, (_, m) in GROUPS.items()}


def test_transitive_membership_matches_the_server(
    neo4j_instance: Neo4jInstance, ingested: Directory
) -> None:
    """For every odd object, the groups it is in at any depth are the server's in-chain answer
    (ten levels for the deep user; the cycle terminates)."""
    conn = _admin(ingested.dc, ingested.ca_file)
    try:
        for sam, dn in ingested.dns.items():
            conn.search(ingested.dc.base_dn, f"(member:{IN_CHAIN}:={escape_filter_chars(dn)})",
                        SUBTREE, attributes=["sAMAccountName"])  # fmt: skip
            oracle = {
                str(e["attributes"]["sAMAccountName"])
                for e in conn.response or []
                if e.get("type") == "searchResEntry"
            }
            ours = {
                r["g"]
                for r in query(
                    neo4j_instance,
                    "MATCH (:ADPrincipal {sam_account_name: $sam})-[:MEMBER_OF*1..]->(g:ADGroup)"
                    " RETURN DISTINCT g.sam_account_name AS g",
                    sam=sam,
                )
            }
            assert ours == oracle, sam
    finally:
        conn.unbind()
    deep = query(
        neo4j_instance,
        "MATCH (:ADUser {sam_account_name: 'deep'})-[:MEMBER_OF*1..]->(g:ADGroup) "
        "RETURN count(DISTINCT g) AS n",
    )
    assert deep == [{"n": 10}]
    cycle = query(
        neo4j_instance,
        "MATCH p = (g:ADGroup {sam_account_name: 'cycle-1'})-[:MEMBER_OF*3]->(g) "
        "RETURN [n IN nodes(p) | n.sam_account_name] AS names",
    )
    assert cycle == [{"names": ["cycle-1", "cycle-2", "cycle-3", "cycle-1"]}]


def test_permissions_resolve_and_reach_members_through_odd_groups(
    neo4j_instance: Neo4jInstance, ingested: Directory
) -> None:
    """vCenter grants to the escaped, Unicode, cyclic and tenth-level groups resolve to them,
    and who-can lists each member with the chain that brings it the permission."""
    resolved = query(
        neo4j_instance,
        "MATCH (p:Permission)-[:GRANTED_TO]->(g:ADGroup) "
        "RETURN p.principal AS principal, g.sam_account_name AS sam, g.dn AS dn",
    )
    assert {r["principal"]: r["sam"] for r in resolved} == {f"CORP\\{s}": s for s in GRANTED}
    assert {r["sam"]: r["dn"] for r in resolved}[ESCAPED].startswith("CN=Grp\\, Escaped \\+ ")
    proc = run_cli("who-can", "--entity", "DC0", "--format", "json", env=neo4j_instance.env)
    assert proc.returncode == 0, proc.stderr
    by_id = {a["principal_id"]: a for a in json.loads(proc.stdout)}
    expected_users = {
        "zoe": ESCAPED,
        "yamada": ESCAPED,
        "smith": ESCAPED,
        "equals": ESCAPED,
        "eleni": UNICODE_GROUP,
        "long": UNICODE_GROUP,
        "deep": "nest-10",
        "cyclist": "cycle-2",
    }
    for sam, granted_group in expected_users.items():
        answer = by_id[_node_id(neo4j_instance, sam)]
        assert "System.Read" in answer["privileges"]
        groups = {step["permission"]["principal"] for step in answer["explanation"]}
        assert f"CORP\\{granted_group}" in groups, (sam, answer["explanation"])
    deep = by_id[_node_id(neo4j_instance, "deep")]
    chain = next(s["via"] for s in deep["explanation"])
    assert len(chain) == 11  # the user and ten groups


def _node_id(db: Neo4jInstance, sam: str) -> str:
    [row] = query(db, "MATCH (u:ADUser {sam_account_name: $sam}) RETURN u.id AS id", sam=sam)
    return str(row["id"])
