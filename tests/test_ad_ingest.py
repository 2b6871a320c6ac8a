"""The AD collector against a real Samba AD DC, loaded into the real Neo4j through the CLI.

The directory (2,000 users, 50 groups nested 4 deep, a 1,600-member group, disabled users,
Unicode names, DN escaping, a membership cycle, a foreign security principal) comes from
``tests.support.samba_ad``. The directory itself is the oracle for nested membership: the
LDAP_MATCHING_RULE_IN_CHAIN filter (1.2.840.113556.1.4.1941).
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from typing import Any

import pytest
from ldap3 import MODIFY_ADD, SIMPLE, SUBTREE, Connection, Server, Tls

from app.records.ad import dn_key
from tests.conftest import Neo4jInstance, run_cli
from tests.conftest import query as _query
from tests.support.samba_ad import DirectorySpec, Manifest, SambaDC, directory_template

ADDRESS = "127.0.0.3"
IN_CHAIN = "1.2.840.113556.1.4.1941"


@pytest.fixture(scope="module")
def directory() -> Iterator[tuple[SambaDC, Manifest]]:
    template, manifest = directory_template(DirectorySpec())
    with SambaDC(template, ADDRESS) as dc:
        yield dc, manifest


def _admin(dc: SambaDC) -> Connection:
    tls = Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=str(dc.ca_file))
    server = Server(dc.address, port=636, use_ssl=True, tls=tls)
    return Connection(
        server, user=dc.admin_dn, password=dc.admin_password, authentication=SIMPLE, auto_bind=True
    )


def _ingest(
    instance: Neo4jInstance,
    dc: SambaDC,
    *extra: str,
    user: str | None = None,
    password: str | None = None,
) -> Any:
    env = {**instance.env, "AD_PW": password or dc.admin_password}
    args = extra or ("--server", dc.ldaps_url, "--ca-file", str(dc.ca_file))
    return run_cli(
        "ingest", "ad", *args, "--user", user or dc.admin_dn, "--password-env", "AD_PW", env=env
    )


def _dns(conn: Connection, base: str, search_filter: str) -> set[str]:
    entries = conn.extend.standard.paged_search(
        base,
        search_filter,
        SUBTREE,
        attributes=["distinguishedName"],
        paged_size=500,
        generator=True,
    )
    return {e["dn"].lower() for e in entries if e.get("type") == "searchResEntry"}


def test_directory_lands_and_nesting_matches_the_server(
    neo4j_instance: Neo4jInstance, graph: Any, directory: tuple[SambaDC, Manifest]
) -> None:
    dc, manifest = directory
    proc = _ingest(
        neo4j_instance,
        dc,
        "--server",
        dc.ldaps_url,
        "--ca-file",
        str(dc.ca_file),
        "--range-step",
        "500",
    )
    assert proc.returncode == 0, proc.stderr
    assert "complete" in proc.stdout
    conn = _admin(dc)
    users = _dns(conn, dc.base_dn, "(&(objectCategory=person)(objectClass=user))")
    groups = _dns(conn, dc.base_dn, "(objectClass=group)")
    graph_users = {
        r["dn"].lower() for r in _query(neo4j_instance, "MATCH (u:ADUser) RETURN u.dn AS dn")
    }
    graph_groups = {
        r["dn"].lower() for r in _query(neo4j_instance, "MATCH (g:ADGroup) RETURN g.dn AS dn")
    }
    assert graph_users == users and len(users) >= manifest.user_count
    assert graph_groups == groups
    # Range retrieval (requested explicitly, 500 at a time): the big group is complete.
    big = _query(
        neo4j_instance,
        "MATCH (g:ADGroup {dn_key: $dn}) "
        "RETURN g.member_count AS n, COUNT { (:ADPrincipal)-[:MEMBER_OF]->(g) } AS linked",
        dn=dn_key(manifest.big_group_dn),
    )
    assert big == [
        {"n": manifest.big_group_member_count, "linked": manifest.big_group_member_count}
    ]
    # Transitive membership of sample users equals the server's in-chain answer.
    samples = [
        manifest.chain_user_dn,
        manifest.comma_user_dn,
        manifest.unicode_user_dn,
        manifest.special_user_dn,
        manifest.manager_dn,
    ]
    for dn in samples:
        conn.search(
            dc.base_dn,
            f"(member:{IN_CHAIN}:={_escape(dn)})",
            SUBTREE,
            attributes=["distinguishedName"],
        )
        oracle = {e["dn"].lower() for e in conn.response or [] if e.get("type") == "searchResEntry"}
        ours = {
            r["dn"].lower()
            for r in _query(
                neo4j_instance,
                "MATCH (:ADUser {dn_key: $dn})-[:MEMBER_OF*1..]->(g:ADGroup) "
                "RETURN DISTINCT g.dn AS dn",
                dn=dn_key(dn),
            )
        }
        assert ours == oracle, dn
        if dn == manifest.chain_user_dn:
            assert ours == {g.lower() for g in manifest.chain_user_all_group_dns}
    # Transitive members of the top group (users at any depth) equal the server's answer.
    conn.search(
        dc.base_dn,
        f"(&(objectCategory=person)(memberOf:{IN_CHAIN}:={_escape(manifest.top_group_dn)}))",
        SUBTREE,
        attributes=["distinguishedName"],
        paged_size=5000,
    )
    oracle_members = {
        e["dn"].lower() for e in conn.response or [] if e.get("type") == "searchResEntry"
    }
    ours_members = {
        r["dn"].lower()
        for r in _query(
            neo4j_instance,
            "MATCH (u:ADUser)-[:MEMBER_OF*1..]->(:ADGroup {dn_key: $dn}) "
            "RETURN DISTINCT u.dn AS dn",
            dn=dn_key(manifest.top_group_dn),
        )
    }
    assert ours_members == oracle_members and len(ours_members) == manifest.top_group_user_count
    # The cycle is loaded as it is and does not trap queries.
    a, b = manifest.cycle_group_dns
    cycle = _query(
        neo4j_instance,
        "MATCH p = (x:ADGroup {dn_key: $a})-[:MEMBER_OF*1..4]->(x) RETURN count(p) AS n",
        a=dn_key(a),
    )
    assert cycle[0]["n"] >= 1 and b
    conn.unbind()


def test_identity_flags_and_special_objects(
    neo4j_instance: Neo4jInstance, graph: Any, directory: tuple[SambaDC, Manifest]
) -> None:
    dc, manifest = directory
    assert _ingest(neo4j_instance, dc).returncode == 0
    domain = _query(
        neo4j_instance,
        "MATCH (d:ADDomain) RETURN d.sid AS sid, d.netbios_name AS nb, d.dns_name AS dns",
    )
    assert domain == [{"sid": dc.domain_sid, "nb": "CORP", "dns": "corp.example.test"}]
    disabled = _query(
        neo4j_instance,
        "MATCH (u:ADUser {enabled: false}) WHERE u.dn_key ENDS WITH $ou RETURN count(u) AS n",
        ou=dn_key(manifest.people_ou),
    )
    assert disabled == [{"n": manifest.disabled_count}]
    for sam, display in list(manifest.unicode_display_names.items())[:3]:
        got = _query(
            neo4j_instance,
            "MATCH (u:ADUser {sam_account_name: $sam}) RETURN u.display_name AS d",
            sam=sam,
        )
        assert got == [{"d": display}]
    managed = _query(
        neo4j_instance,
        "MATCH (g:ADGroup {dn_key: $g})-[:MANAGED_BY]->(m) RETURN m.dn_key AS m",
        g=dn_key(manifest.managed_group_dn),
    )
    assert managed == [{"m": dn_key(manifest.manager_dn)}]
    dist = _query(
        neo4j_instance,
        "MATCH (g:ADGroup {dn_key: $g}) RETURN g.security AS s",
        g=dn_key(manifest.distribution_group_dn),
    )
    assert dist == [{"s": False}]
    foreign = _query(
        neo4j_instance,
        "MATCH (f:ADForeignPrincipal {sid: $sid})-[:MEMBER_OF]->(g:ADGroup) RETURN g.dn_key AS g",
        sid=manifest.foreign_sid,
    )
    assert foreign == [{"g": dn_key(manifest.foreign_group_dn)}]
    primary = _query(
        neo4j_instance,
        "MATCH (u:ADUser {sam_account_name: $sam})"
        "-[:HAS_PRIMARY_GROUP]->(g:ADGroup) RETURN g.sid AS sid",
        sam=manifest.user_sam(1),
    )
    assert primary == [{"sid": f"{dc.domain_sid}-513"}]  # Domain Users


def test_bind_forms_and_starttls(
    neo4j_instance: Neo4jInstance, graph: Any, directory: tuple[SambaDC, Manifest]
) -> None:
    dc, _ = directory
    for user in (dc.admin_upn, dc.admin_netbios):
        proc = _ingest(
            neo4j_instance,
            dc,
            "--server",
            dc.ldap_url,
            "--starttls",
            "--ca-file",
            str(dc.ca_file),
            user=user,
        )
        assert proc.returncode == 0, proc.stderr


def test_failures_are_one_clear_line_and_touch_nothing(
    neo4j_instance: Neo4jInstance, graph: Any, directory: tuple[SambaDC, Manifest]
) -> None:
    dc, _ = directory
    bad = _ingest(neo4j_instance, dc, password="wrong-Passw0rd-42")
    assert bad.returncode == 2 and "rejected the credentials" in bad.stderr
    assert "wrong-Passw0rd-42" not in bad.stdout + bad.stderr
    tls = _ingest(neo4j_instance, dc, "--server", dc.ldaps_url)  # no --ca-file: not trusted
    assert tls.returncode == 2 and "TLS verification" in tls.stderr
    plain = _ingest(neo4j_instance, dc, "--server", dc.ldap_url)
    assert plain.returncode == 2 and "plain LDAP" in plain.stderr
    # A port this test holds bound but not listening: nothing can answer there.
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        dead = f"ldaps://127.0.0.1:{closed.getsockname()[1]}"
        down = _ingest(neo4j_instance, dc, "--server", dead, "--ca-file", str(dc.ca_file))
    assert down.returncode == 2 and "cannot reach AD server" in down.stderr
    for proc in (bad, tls, plain, down):
        assert "Traceback" not in proc.stderr
    assert _query(neo4j_instance, "MATCH (n:Source) RETURN count(n) AS n") == [{"n": 0}]


def test_reingest_is_idempotent_and_removes_a_deleted_group(
    neo4j_instance: Neo4jInstance, graph: Any, directory: tuple[SambaDC, Manifest]
) -> None:
    dc, manifest = directory
    conn = _admin(dc)
    doomed = f"CN=doomed-group,{manifest.groups_ou}"
    assert conn.add(
        doomed, ["top", "group"], {"sAMAccountName": "doomed-group", "groupType": -2147483646}
    )
    conn.modify(doomed, {"member": [(MODIFY_ADD, [manifest.chain_user_dn])]})
    assert _ingest(neo4j_instance, dc).returncode == 0
    count = "MATCH (n:Source) RETURN count(n) AS n"
    rels = "MATCH (:Source)-[r]->() RETURN count(r) AS n"
    before = (_query(neo4j_instance, count), _query(neo4j_instance, rels))
    assert _ingest(neo4j_instance, dc).returncode == 0
    assert (_query(neo4j_instance, count), _query(neo4j_instance, rels)) == before
    assert conn.delete(doomed)
    conn.unbind()
    assert _ingest(neo4j_instance, dc).returncode == 0
    assert _query(neo4j_instance, "MATCH (g:ADGroup {name: 'doomed-group'}) RETURN g") == []
    assert _query(neo4j_instance, count)[0]["n"] == before[0][0]["n"] - 1


def _escape(dn: str) -> str:
    from ldap3.utils.conv import escape_filter_chars

    return str(escape_filter_chars(dn))


def test_read_base_dn_option(
    neo4j_instance: Neo4jInstance, graph: Any, directory: tuple[SambaDC, Manifest]
) -> None:
    dc, manifest = directory
    proc = _ingest(
        neo4j_instance,
        dc,
        "--server",
        dc.ldaps_url,
        "--ca-file",
        str(dc.ca_file),
        "--base-dn",
        manifest.groups_ou,
    )
    assert proc.returncode == 0, proc.stderr
    users = _query(neo4j_instance, "MATCH (u:ADUser) RETURN count(u) AS n")
    groups = _query(
        neo4j_instance,
        "MATCH (g:ADGroup) WHERE NOT g.dn_key ENDS WITH $ou RETURN count(g) AS n",
        ou=dn_key(manifest.groups_ou),
    )
    assert users == [{"n": 0}] and groups == [{"n": 0}]


def test_two_servers_of_one_domain_are_refused(
    neo4j_instance: Neo4jInstance, graph: Any, directory: tuple[SambaDC, Manifest]
) -> None:
    dc, _ = directory
    proc = _ingest(
        neo4j_instance,
        dc,
        "--server",
        dc.ldaps_url,
        "--server",
        dc.ldap_url,
        "--starttls",
        "--ca-file",
        str(dc.ca_file),
    )
    assert proc.returncode == 2 and "same domain" in proc.stderr
    assert _query(neo4j_instance, "MATCH (n:Source) RETURN count(n) AS n") == [{"n": 0}]
