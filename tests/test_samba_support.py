"""Tests for tests/support/samba_ad.py against real Samba AD domain controllers on loopback.

The first run provisions and populates a template (about 10 s; cached in
``${AUTHMAP_CACHE:-~/.cache/authmap}/samba``); every domain controller here is a copy of it.
Needs ``scripts/bootstrap.sh samba`` and root (ports 389/636, loopback aliases).
"""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ldap3 import BASE, NONE, SIMPLE, SUBTREE, Connection, Server, Tls
from ldap3.core.exceptions import LDAPSocketOpenError
from ldap3.protocol.formatters.formatters import format_sid

from tests.support import samba_ad
from tests.support.samba_ad import (
    DirectorySpec,
    Manifest,
    SambaDC,
    SambaError,
    directory_template,
    find_our_sambas,
    populate_ldif,
    provision_template,
    template_key,
    template_stamp,
)

MAIN_ADDRESS = "127.0.0.20"
SECOND_ADDRESS = "127.0.0.21"
STRONG_AUTH_ADDRESS = "127.0.0.22"
LEFTOVER_ADDRESS = "127.0.0.23"
BUSY_ADDRESS = "127.0.0.24"
ORPHAN_ADDRESS = "127.0.0.25"
REPO = Path(__file__).resolve().parents[1]
IN_CHAIN = "1.2.840.113556.1.4.1941"
pytestmark = pytest.mark.filterwarnings("ignore:ssl.match_hostname:DeprecationWarning")  # ldap3
SPEC = DirectorySpec(users=2_000, groups=50, nesting_depth=4, big_group_members=1_600)


@pytest.fixture(scope="module")
def template() -> tuple[Path, Manifest]:
    samba_ad.ensure_samba()
    return directory_template(SPEC)


@pytest.fixture(scope="module")
def manifest(template: tuple[Path, Manifest]) -> Manifest:
    return template[1]


@pytest.fixture(scope="module")
def dc(template: tuple[Path, Manifest]) -> Iterator[SambaDC]:
    with SambaDC(template[0], MAIN_ADDRESS) as running:
        yield running


def tls_for(dc: SambaDC) -> Tls:
    return Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=str(dc.ca_file))


def admin(dc: SambaDC) -> Connection:
    """An LDAPS connection bound as the domain administrator (ranges and paging by hand)."""
    server = Server(dc.address, port=636, use_ssl=True, tls=tls_for(dc), get_info=NONE)
    return Connection(
        server,
        dc.admin_upn,
        dc.admin_password,
        authentication=SIMPLE,
        auto_bind=True,
        auto_range=False,
        return_empty_attributes=False,
        read_only=True,
    )


def dns(conn: Connection) -> set[str]:
    return {str(item["dn"]) for item in conn.response or [] if item.get("type") == "searchResEntry"}


def raw(conn: Connection) -> dict[str, list[bytes]]:
    entries = [item for item in conn.response or [] if item.get("type") == "searchResEntry"]
    assert len(entries) == 1, conn.result
    values: dict[str, list[bytes]] = entries[0]["raw_attributes"]
    return values


# -- the template ------------------------------------------------------------------------------


def test_template_is_stamped_and_reused(template: tuple[Path, Manifest]) -> None:
    path, _ = template
    stamp = template_stamp(path)
    assert stamp["samba_version"] == samba_ad.samba_version()
    assert stamp["version"] == f"ldif-{SPEC.key()}"
    assert path.name == f"authmap-{template_key(stamp['version'])}"
    assert not (path / "populate").exists()  # the LDIF scratch files are gone
    began = time.monotonic()
    assert directory_template(SPEC)[0] == path
    assert time.monotonic() - began < 2.0  # cached: not provisioned again


def test_generator_is_deterministic_and_keyed() -> None:
    first, second = populate_ldif(SPEC), populate_ldif(SPEC)
    assert first.add_records == second.add_records
    assert first.manifest == second.manifest
    bigger = DirectorySpec(users=2_001)
    assert bigger.key() != SPEC.key()
    assert template_key("a") != template_key("b")
    ldif = "".join(first.add_records)
    assert "dn:: " in ldif  # the Unicode CN is base64-encoded, as LDIF requires
    assert first.manifest.comma_user_dn.startswith("CN=Doe\\, Jane,OU=People,")


def test_half_built_template_is_never_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUTHMAP_CACHE", str(tmp_path))

    def broken(directory: Path) -> None:
        (directory / "half-done").write_text("x")
        raise RuntimeError("populate failed")

    with pytest.raises(RuntimeError, match="populate failed"):
        provision_template("t", broken, version="1")
    templates = tmp_path / "samba" / "templates"
    assert [p.name for p in templates.iterdir() if not p.name.endswith(".lock")] == []

    final = templates / f"t-{template_key('1')}"
    final.mkdir()
    (final / "junk").write_text("an interrupted build of an older layout")

    def populate(directory: Path) -> None:
        (directory / "marker").write_text("ok")

    built = provision_template("t", populate, version="1")
    assert built == final
    assert (built / "marker").read_text() == "ok"
    assert not (built / "junk").exists()
    assert template_stamp(built)["populate_seconds"] >= 0


def test_missing_samba_names_the_bootstrap_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(samba_ad, "_tool", lambda name: None)
    with pytest.raises(SambaError, match=r"scripts/bootstrap\.sh samba"):
        samba_ad.ensure_samba()


# -- binding -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["dn", "upn", "netbios"])
@pytest.mark.parametrize("transport", ["ldaps", "starttls"])
def test_simple_bind_with_verified_tls(dc: SambaDC, who: str, transport: str) -> None:
    user = {"dn": dc.admin_dn, "upn": dc.admin_upn, "netbios": dc.admin_netbios}[who]
    assert dc.admin_netbios == "CORP\\Administrator"
    port = 636 if transport == "ldaps" else 389
    server = Server(
        dc.address, port=port, use_ssl=transport == "ldaps", tls=tls_for(dc), get_info=NONE
    )
    conn = Connection(server, user, dc.admin_password, authentication=SIMPLE, auto_bind=False)
    conn.open()
    if transport == "starttls":
        assert conn.start_tls()
    assert conn.bind(), conn.result
    assert conn.tls_started or server.ssl
    # Samba does not answer the WhoAmI extended operation; anonymous users cannot search
    conn.search(dc.base_dn, "(sAMAccountName=Administrator)", attributes=["objectSid"])
    assert dns(conn) == {dc.admin_dn}
    conn.unbind()


def test_untrusted_certificate_is_refused(dc: SambaDC) -> None:
    tls = Tls(validate=ssl.CERT_REQUIRED)  # system CAs only: the test CA is not among them
    server = Server(dc.address, port=636, use_ssl=True, tls=tls, get_info=NONE)
    with pytest.raises(LDAPSocketOpenError):
        Connection(server, dc.admin_upn, dc.admin_password, auto_bind=True)


def test_service_account_binds(dc: SambaDC, manifest: Manifest) -> None:
    server = Server(dc.address, port=636, use_ssl=True, tls=tls_for(dc), get_info=NONE)
    conn = Connection(server, manifest.service_account_upn, manifest.service_account_password)
    assert conn.bind(), conn.result
    wrong = Connection(server, manifest.service_account_upn, "not-the-password")
    assert not wrong.bind()
    assert wrong.result["description"] == "invalidCredentials"


def test_strong_auth_required_refuses_plain_simple_bind(template: tuple[Path, Manifest]) -> None:
    with SambaDC(template[0], STRONG_AUTH_ADDRESS, require_strong_auth=True) as strict:
        plain = Connection(
            Server(strict.address, get_info=NONE), strict.admin_dn, strict.admin_password
        )
        assert not plain.bind()
        assert plain.result["description"] == "strongerAuthRequired"
        server = Server(strict.address, port=389, tls=tls_for(strict), get_info=NONE)
        secured = Connection(server, strict.admin_dn, strict.admin_password)
        secured.open()
        assert secured.start_tls()
        assert secured.bind(), secured.result


# -- the population ------------------------------------------------------------------------------


def test_paged_search_returns_every_user(dc: SambaDC, manifest: Manifest) -> None:
    conn = admin(dc)
    seen: dict[str, dict[str, Any]] = {}
    for item in conn.extend.standard.paged_search(
        manifest.people_ou,
        "(&(objectCategory=person)(objectClass=user))",
        SUBTREE,
        attributes=["sAMAccountName", "displayName", "userAccountControl", "objectSid"],
        paged_size=500,
        generator=True,
    ):
        if item.get("type") == "searchResEntry":
            seen[str(item["dn"])] = item
    assert len(seen) == manifest.user_count == 2_000
    disabled = [e for e in seen.values() if e["raw_attributes"]["userAccountControl"] == [b"514"]]
    assert len(disabled) == manifest.disabled_count == 200
    by_sam = {e["raw_attributes"]["sAMAccountName"][0].decode(): e for e in seen.values()}
    assert len(manifest.unicode_display_names) == 20
    for sam, display in manifest.unicode_display_names.items():
        assert by_sam[sam]["raw_attributes"]["displayName"] == [display.encode()]
    # fixed domain SID and creation order: the same RIDs every build
    assert format_sid(by_sam["user00001"]["raw_attributes"]["objectSid"][0]) == (
        f"{dc.domain_sid}-1102"
    )
    assert format_sid(by_sam["user02000"]["raw_attributes"]["objectSid"][0]) == (
        f"{dc.domain_sid}-3101"
    )
    conn.search(
        manifest.people_ou, "(userAccountControl:1.2.840.113556.1.4.803:=2)", attributes=["cn"]
    )
    assert len(dns(conn)) == manifest.disabled_count


def test_escaped_and_unicode_dns_round_trip(dc: SambaDC, manifest: Manifest) -> None:
    conn = admin(dc)
    for dn, cn in (
        (manifest.comma_user_dn, samba_ad.COMMA_CN),
        (manifest.unicode_user_dn, samba_ad.UNICODE_CN),
        (manifest.special_user_dn, samba_ad.SPECIAL_CN),
    ):
        conn.search(dn, "(objectClass=user)", BASE, attributes=["cn", "displayName"])
        assert raw(conn)["cn"] == [cn.encode()]
        assert raw(conn)["displayName"] == [cn.encode()]
    # Samba writes ';' as \3B in the DNs it returns; the other specials as \c
    conn.search(manifest.special_user_dn, "(objectClass=user)", BASE, attributes=["cn"])
    returned = next(iter(dns(conn)))
    assert returned.startswith('CN=\\#Hash\\+Plus \\"Quoted\\" \\<Angle\\>\\3B Semi\\\\Back,')


def test_range_retrieval_of_a_1600_member_group(dc: SambaDC, manifest: Manifest) -> None:
    conn = admin(dc)
    conn.search(
        manifest.big_group_dn, "(objectClass=group)", BASE, attributes=["member;range=0-1499"]
    )
    first = raw(conn)
    assert list(first) == ["member;range=0-1499"]
    conn.search(
        manifest.big_group_dn, "(objectClass=group)", BASE, attributes=["member;range=1500-*"]
    )
    second = raw(conn)
    assert list(second) == ["member;range=1500-*"]
    members = first["member;range=0-1499"] + second["member;range=1500-*"]
    assert (len(first["member;range=0-1499"]), len(second["member;range=1500-*"])) == (1500, 100)
    assert len(set(members)) == manifest.big_group_member_count == 1_600


def test_in_chain_matching_rule_resolves_nesting(dc: SambaDC, manifest: Manifest) -> None:
    conn = admin(dc)
    assert len(manifest.chain_group_dns) == 4
    conn.search(manifest.groups_ou, f"(member:{IN_CHAIN}:={manifest.chain_user_dn})", attributes=[])
    assert dns(conn) == set(manifest.chain_user_all_group_dns) >= set(manifest.chain_group_dns)
    conn.search(manifest.people_ou, f"(memberOf:{IN_CHAIN}:={manifest.top_group_dn})")
    assert len(dns(conn)) == manifest.top_group_user_count > 0
    conn.search(manifest.chain_group_dns[0], "(objectClass=group)", BASE, attributes=["memberOf"])
    assert raw(conn)["memberOf"] == [manifest.chain_group_dns[1].encode()]  # direct only
    # the cycle: cycle-a and cycle-b are members of each other
    a, b = manifest.cycle_group_dns
    conn.search(manifest.groups_ou, f"(memberOf:{IN_CHAIN}:={a})", attributes=[])
    assert dns(conn) == {a, b}
    conn.search(a, "(objectClass=group)", BASE, attributes=["member", "memberOf"])
    assert b.encode() in raw(conn)["member"] and raw(conn)["memberOf"] == [b.encode()]


def test_special_groups(dc: SambaDC, manifest: Manifest) -> None:
    conn = admin(dc)
    conn.search(manifest.managed_group_dn, "(objectClass=group)", BASE, attributes=["managedBy"])
    assert raw(conn)["managedBy"] == [manifest.manager_dn.encode()]
    conn.search(
        manifest.distribution_group_dn,
        "(objectClass=group)",
        BASE,
        attributes=["groupType", "member"],
    )
    assert raw(conn)["groupType"] == [b"2"]
    assert len(raw(conn)["member"]) == manifest.distribution_member_count
    conn.search(manifest.foreign_group_dn, "(objectClass=group)", BASE, attributes=["member"])
    assert manifest.foreign_dn.encode() in raw(conn)["member"]
    conn.search(
        manifest.foreign_dn,
        "(objectClass=foreignSecurityPrincipal)",
        BASE,
        attributes=["objectSid"],
    )
    assert format_sid(raw(conn)["objectSid"][0]) == manifest.foreign_sid
    conn.search(manifest.groups_ou, "(objectClass=group)", attributes=["groupType"])
    assert len(dns(conn)) == manifest.group_count
    conn.search(manifest.computers_ou, "(objectClass=computer)", attributes=["dNSHostName"])
    assert len(dns(conn)) == manifest.computer_count


# -- lifecycle ---------------------------------------------------------------------------------


def samba_alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def test_second_start_is_fast_and_stop_leaves_nothing(
    dc: SambaDC, template: tuple[Path, Manifest], record_property: Any
) -> None:
    began = time.monotonic()
    second = SambaDC(template[0], SECOND_ADDRESS).start()
    elapsed = time.monotonic() - began
    record_property("samba_copy_s", round(second.timings["copy"], 3))
    record_property("samba_start_s", round(second.timings["start"], 3))
    assert elapsed < 10.0, second.timings  # typically 0.1 s copy + 0.5 s start
    pid, instance = second.pid, second.instance_dir
    assert instance is not None and instance.is_dir()
    assert dc.running and second.running  # two DCs side by side on two addresses
    conn = admin(second)
    conn.search(second.base_dn, "(sAMAccountName=user00001)", attributes=["cn"])
    assert len(dns(conn)) == 1
    conn.unbind()

    began = time.monotonic()
    second.stop()
    record_property("samba_stop_s", round(time.monotonic() - began, 3))
    assert not samba_alive(pid)
    with pytest.raises(ProcessLookupError):
        os.killpg(pid, 0)  # nothing left in its process group
    assert not instance.exists()
    assert all(left.address != SECOND_ADDRESS for left in find_our_sambas())
    for port in samba_ad.LDAP_PORTS:
        with socket.socket() as sock:
            assert sock.connect_ex((SECOND_ADDRESS, port)) != 0
    assert second.stop() == second.stop()  # idempotent


def test_kill_then_stop_cleans_up(template: tuple[Path, Manifest]) -> None:
    victim = SambaDC(template[0], SECOND_ADDRESS).start()
    instance = victim.instance_dir
    assert victim.kill() == -9
    assert not victim.running
    with pytest.raises(LDAPSocketOpenError):
        Connection(Server(victim.address, get_info=NONE, connect_timeout=2), auto_bind=True)
    victim.stop()
    assert instance is not None and not instance.exists()


def test_leftover_samba_on_the_address_is_replaced(template: tuple[Path, Manifest]) -> None:
    forgotten = SambaDC(template[0], LEFTOVER_ADDRESS).start()  # never stopped by its owner
    old_pid, old_dir = forgotten.pid, forgotten.instance_dir
    assert [s.pid for s in find_our_sambas() if s.address == LEFTOVER_ADDRESS] == [old_pid]
    with SambaDC(template[0], LEFTOVER_ADDRESS) as fresh:
        assert not samba_alive(old_pid)
        assert old_dir is not None and not old_dir.exists()
        assert [s.pid for s in find_our_sambas() if s.address == LEFTOVER_ADDRESS] == [fresh.pid]
    forgotten.stop()


def test_samba_exits_with_its_owner_and_the_copy_is_swept(
    template: tuple[Path, Manifest],
) -> None:
    code = (
        "import os, sys\n"
        "from tests.support.samba_ad import SambaDC\n"
        f"dc = SambaDC({str(template[0])!r}, {ORPHAN_ADDRESS!r}).start()\n"
        "print(dc.pid, dc.instance_dir, flush=True)\n"
        "os._exit(0)  # dies without stop()\n"
    )
    child = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert child.returncode == 0, child.stderr
    pid_text, instance_text = child.stdout.split()
    deadline = time.monotonic() + 15
    while samba_alive(int(pid_text)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not samba_alive(int(pid_text))  # EOF on its stdin pipe: samba stopped itself
    assert Path(instance_text).is_dir()  # ... but nobody removed the copy
    with SambaDC(template[0], ORPHAN_ADDRESS):
        assert not Path(instance_text).exists()


def test_foreign_listener_on_the_port_fails_clearly(template: tuple[Path, Manifest]) -> None:
    samba_ad.ensure_loopback_address(BUSY_ADDRESS)
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind((BUSY_ADDRESS, 636))
        squatter.listen()
        with pytest.raises(SambaError, match=r"636 on 127\.0\.0\.24 are in use"):
            SambaDC(template[0], BUSY_ADDRESS).start()
    assert not list(Path(os.environ.get("TMPDIR", "/tmp")).glob("authmap-samba-127.0.0.24-*"))


def test_address_outside_the_certificate_is_refused(template: tuple[Path, Manifest]) -> None:
    with pytest.raises(SambaError, match="not named by the test certificate"):
        SambaDC(template[0], "127.0.0.200").start()
