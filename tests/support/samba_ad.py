"""A real Active Directory for tests and benchmarks: Samba AD domain controllers on loopback.

A domain is provisioned (and optionally populated) once into a cached *template*; each test
run copies the template to a temporary directory and starts ``samba`` on one loopback address,
which answers LDAP within about a second::

    template, manifest = directory_template(DirectorySpec(users=2_000, groups=50))
    with SambaDC(template) as dc:
        server = ldap3.Server(dc.address, port=636, use_ssl=True, tls=ldap3.Tls(
            validate=ssl.CERT_REQUIRED, ca_certs_file=str(dc.ca_file)))
        conn = ldap3.Connection(server, dc.admin_upn, dc.admin_password, auto_bind=True)

:func:`ldaps_admin` opens such a connection as the Administrator, and :func:`add_accounts`
adds users and nested groups through it.

The realm is ``CORP.EXAMPLE.TEST`` (NetBIOS ``CORP``, base DN ``DC=corp,DC=example,DC=test``,
domain SID ``S-1-5-21-1000-2000-3000``); the same population always gets the same SIDs.
Everything lives under ``${AUTHMAP_CACHE:-~/.cache/authmap}/samba/`` (templates, TLS files)
and ``$TMPDIR/authmap-samba-ADDRESS-*`` (running copies). The LDAP ports 389, 636, 3268 and
3269 are fixed, so concurrent instances need distinct addresses (127.0.0.1 to 127.0.0.48, the
addresses the test certificate names): Samba binds only to addresses that an interface holds,
so ``SambaDC`` adds 127.0.0.2 and up to ``lo`` (``ip addr add ADDR/32 dev lo``, as root).

Install the system packages with ``scripts/bootstrap.sh samba``. The passwords here are
test-only constants; never log them.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import functools
import glob
import hashlib
import ipaddress
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

from ldap3 import BASE, MODIFY_ADD, NONE, SIMPLE, Connection, Server, Tls
from ldap3.core.exceptions import LDAPException

REPO_ROOT = Path(__file__).resolve().parents[2]
BOOTSTRAP_HINT = "scripts/bootstrap.sh samba"

REALM = "CORP.EXAMPLE.TEST"
NETBIOS_DOMAIN = "CORP"
DNS_DOMAIN = "corp.example.test"
HOST_NAME = "dc1"
DC_FQDN = f"{HOST_NAME}.{DNS_DOMAIN}"
BASE_DN = "DC=corp,DC=example,DC=test"
DOMAIN_SID = "S-1-5-21-1000-2000-3000"
ADMIN_PASSWORD = "Authmap-Test-0nly-Adm1n!"
USER_PASSWORD = "Authmap-Test-0nly-Us3r!"

TEMPLATE_FORMAT = 1  # bump when the provisioning options below change
GENERATOR_FORMAT = 1  # bump when populate_ldif() changes what it writes
TLS_FORMAT = 1
TLS_LOOPBACK_HOSTS = 48  # the certificate names 127.0.0.1 .. 127.0.0.48
LDAP_PORTS = (389, 636, 3268, 3269)
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0
STAMP_FILE = ".authmap-template.json"
INSTANCE_FILE = "instance.json"
INSTANCE_PREFIX = "authmap-samba-"
_TAIL_LINES = 30

GROUP_GLOBAL_SECURITY = -2147483646
GROUP_DOMAIN_LOCAL_SECURITY = -2147483644
GROUP_UNIVERSAL_SECURITY = -2147483640
GROUP_GLOBAL_DISTRIBUTION = 2
UAC_NORMAL = 512
UAC_DISABLED = 514
UAC_WORKSTATION = 4096


class SambaError(RuntimeError):
    """Samba is missing, or a template or domain controller could not be built or run."""


# -- installation and cache ------------------------------------------------------------------


def _tool(name: str) -> str | None:
    """Absolute path of a program on PATH or in the sbin directories (samba lives there)."""
    path = os.environ.get("PATH", "") + os.pathsep + "/usr/sbin:/sbin:/usr/local/sbin"
    return shutil.which(name, path=path)


def ensure_samba() -> None:
    """Raise :class:`SambaError` naming ``scripts/bootstrap.sh samba`` if Samba is missing."""
    missing = [
        name
        for name in ("samba", "samba-tool", "ldbadd", "ldbmodify", "openssl", "ip")
        if _tool(name) is None
    ]
    if not glob.glob("/usr/share/samba/setup/ad-schema/AD_DS_Attributes__*.ldf"):
        missing.append("samba-ad-provision (the AD schema files)")
    if missing:
        raise SambaError(
            f"Samba AD DC tools are missing ({', '.join(missing)}): run {BOOTSTRAP_HINT} "
            "(installs samba samba-ad-dc samba-ad-provision winbind ldb-tools openssl)"
        )


def _require(name: str) -> str:
    path = _tool(name)
    if path is None:
        ensure_samba()
        raise SambaError(f"{name} not found: run {BOOTSTRAP_HINT}")
    return path


@functools.cache
def samba_version() -> str:
    """The installed Samba version, e.g. ``4.17.12-Debian``."""
    out = subprocess.run(
        [_require("samba"), "--version"], capture_output=True, text=True, check=False
    ).stdout
    return out.strip().removeprefix("Version ").strip() or "unknown"


def cache_root() -> Path:
    """``${AUTHMAP_CACHE:-~/.cache/authmap}/samba``."""
    base = os.environ.get("AUTHMAP_CACHE") or str(Path.home() / ".cache" / "authmap")
    return Path(base).expanduser() / "samba"


@contextlib.contextmanager
def _locked(lock_file: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``lock_file`` (other processes building the same wait)."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with lock_file.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run(argv: Sequence[str], what: str, *, secrets: Sequence[str] = ()) -> str:
    """Run a command; on failure raise :class:`SambaError` with its output's tail.

    ``secrets`` are blanked out of the message (they may appear on the command line).
    """
    proc = subprocess.run(list(argv), capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-_TAIL_LINES:])
        for secret in secrets:
            tail = tail.replace(secret, "***")
        raise SambaError(f"{what} failed (exit {proc.returncode}):\n{tail}")
    return proc.stdout


# -- TLS ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TlsFiles:
    """The test CA and the domain controller's key and certificate (PEM files)."""

    ca_file: Path
    key_file: Path
    cert_file: Path


def tls_addresses() -> list[str]:
    """The loopback addresses the server certificate names (127.0.0.1 .. 127.0.0.48)."""
    return [f"127.0.0.{i}" for i in range(1, TLS_LOOPBACK_HOSTS + 1)]


def ensure_tls() -> TlsFiles:
    """Make (once) a self-signed CA and a server key and certificate signed by it.

    Files: ``cache_root()/tls/{ca.pem,key.pem,cert.pem}`` (and ``ca-key.pem``). The server
    certificate's SAN has ``DNS:dc1.corp.example.test``, ``DNS:localhost`` and every address
    of :func:`tls_addresses`. ``key.pem`` is mode 0600, as Samba requires.
    """
    tls_dir = cache_root() / "tls"
    files = TlsFiles(tls_dir / "ca.pem", tls_dir / "key.pem", tls_dir / "cert.pem")
    stamp = tls_dir / "COMPLETE"
    san = ",".join([f"DNS:{DC_FQDN}", "DNS:localhost", *(f"IP:{ip}" for ip in tls_addresses())])
    wanted = f"{TLS_FORMAT} {san}"
    if stamp.is_file() and stamp.read_text() == wanted:
        return files
    openssl = _require("openssl")
    with _locked(cache_root() / ".tls.lock"):
        if stamp.is_file() and stamp.read_text() == wanted:
            return files
        tls_dir.parent.mkdir(parents=True, exist_ok=True)
        build = Path(tempfile.mkdtemp(prefix=".tls-build-", dir=tls_dir.parent))
        try:
            _make_tls(openssl, build, san)
            (build / "COMPLETE").write_text(wanted)
            if tls_dir.exists():
                shutil.rmtree(tls_dir)
            build.rename(tls_dir)
        finally:
            shutil.rmtree(build, ignore_errors=True)
    return files


def _make_tls(openssl: str, out: Path, san: str) -> None:
    """Write ca.pem, ca-key.pem, key.pem and cert.pem into ``out`` with openssl."""
    days = "3650"
    _run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", days,
         "-keyout", str(out / "ca-key.pem"), "-out", str(out / "ca.pem"),
         "-subj", "/O=authmap tests/CN=authmap test CA",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign",
         "-addext", "subjectKeyIdentifier=hash"],
        "openssl (test CA)",
    )  # fmt: skip
    _run(
        [openssl, "req", "-new", "-newkey", "rsa:2048", "-nodes", "-sha256",
         "-keyout", str(out / "key.pem"), "-out", str(out / "server.csr"),
         "-subj", f"/O=authmap tests/CN={DC_FQDN}"],
        "openssl (server key)",
    )  # fmt: skip
    ext = out / "server.ext"
    ext.write_text(
        f"subjectAltName={san}\n"
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\n"
        "subjectKeyIdentifier=hash\n"
        "authorityKeyIdentifier=keyid,issuer\n"
    )
    _run(
        [openssl, "x509", "-req", "-sha256", "-days", days, "-in", str(out / "server.csr"),
         "-CA", str(out / "ca.pem"), "-CAkey", str(out / "ca-key.pem"), "-set_serial", "2",
         "-extfile", str(ext), "-out", str(out / "cert.pem")],
        "openssl (server certificate)",
    )  # fmt: skip
    for name in ("key.pem", "ca-key.pem"):
        (out / name).chmod(0o600)
    for name in ("server.csr", "server.ext"):
        (out / name).unlink()


# -- templates -------------------------------------------------------------------------------


def template_key(version: str = "") -> str:
    """A short hash of the template format, the Samba version and the caller's ``version``."""
    text = f"{TEMPLATE_FORMAT}|{samba_version()}|{version}"
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def template_stamp(template: Path) -> dict[str, Any]:
    """The completion stamp of a finished template (timings, versions); raise if unfinished."""
    stamp = Path(template) / STAMP_FILE
    try:
        data: dict[str, Any] = json.loads(stamp.read_text())
    except (OSError, ValueError) as exc:
        raise SambaError(f"{template} is not a complete Samba template (no {STAMP_FILE})") from exc
    return data


def provision_template(
    name: str, populate: Callable[[Path], None] | None = None, *, version: str = ""
) -> Path:
    """Provision a domain controller into the template cache once and return its directory.

    The directory is ``cache_root()/templates/<name>-<template_key(version)>``: pass a
    ``version`` that changes whenever ``populate`` would write something else. A template
    is built in a scratch directory (provision, then ``populate(dir)`` while Samba is not
    running, e.g. ``ldbadd`` on ``dir/private/sam.ldb``), stamped, and renamed into place
    in one step, so a half-built template is never reused. Concurrent callers wait on a lock.
    """
    ensure_samba()
    if not name or "/" in name or name.startswith("."):
        raise ValueError(f"bad template name {name!r}")
    templates = cache_root() / "templates"
    final = templates / f"{name}-{template_key(version)}"
    if (final / STAMP_FILE).is_file():
        return final
    with _locked(templates / f".{final.name}.lock"):
        if (final / STAMP_FILE).is_file():
            return final
        if final.exists():  # not stamped, so never finished: never reuse
            shutil.rmtree(final)
        for stale in templates.glob(f".build-{final.name}.*"):  # interrupted builds
            shutil.rmtree(stale, ignore_errors=True)
        build = Path(tempfile.mkdtemp(prefix=f".build-{final.name}.", dir=templates))
        try:
            t0 = time.monotonic()
            _provision(build)
            t1 = time.monotonic()
            if populate is not None:
                populate(build)
            t2 = time.monotonic()
            _set_root(build / "etc" / "smb.conf", build, final)
            for scratch in ("run", "log"):
                shutil.rmtree(build / scratch, ignore_errors=True)
                (build / scratch).mkdir()
            stamp = {
                "name": name,
                "version": version,
                "template_format": TEMPLATE_FORMAT,
                "samba_version": samba_version(),
                "provision_seconds": round(t1 - t0, 3),
                "populate_seconds": round(t2 - t1, 3),
                "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            }
            (build / STAMP_FILE).write_text(json.dumps(stamp, indent=2) + "\n")
            build.chmod(0o755)
            build.rename(final)
        finally:
            shutil.rmtree(build, ignore_errors=True)
    return final


def _provision(target: Path) -> None:
    """``samba-tool domain provision`` into ``target`` with every directory inside it."""
    for sub in ("run", "log"):
        (target / sub).mkdir(parents=True, exist_ok=True)
    options = {
        "interfaces": "127.0.0.1/8",
        "bind interfaces only": "yes",
        "server services": "ldap",
        "pid directory": f"{target}/run",
        "ncalrpc dir": f"{target}/run/ncalrpc",
        "winbindd socket directory": f"{target}/run/winbindd",
        "log file": f"{target}/log/log.%m",
    }
    argv = [
        _require("samba-tool"), "domain", "provision",
        f"--targetdir={target}", f"--realm={REALM}", f"--domain={NETBIOS_DOMAIN}",
        "--server-role=dc", "--dns-backend=NONE", f"--host-name={HOST_NAME}",
        f"--adminpass={ADMIN_PASSWORD}", "--use-rfc2307", f"--domain-sid={DOMAIN_SID}",
        *(f"--option={key}={value}" for key, value in options.items()),
    ]  # fmt: skip
    _run(argv, "samba-tool domain provision", secrets=[ADMIN_PASSWORD])


def _conf_root(conf: Path) -> str:
    """The directory a DC's smb.conf points at (from its ``private dir`` line)."""
    for line in conf.read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() == "private dir":
            return value.strip().removesuffix("/private")
    raise SambaError(f"{conf} has no 'private dir' line")


def _set_root(conf: Path, old: Path | str, new: Path) -> None:
    """Point every path in ``conf`` that is under ``old`` to ``new`` instead."""
    text = conf.read_text()
    conf.write_text(text.replace(f"{old}/", f"{new}/").replace(f"= {old}\n", f"= {new}\n"))


# -- populating -------------------------------------------------------------------------------

UNICODE_NAMES = (
    "Zoë Ångström",
    "Jürgen Müller",
    "Łukasz Żółć",
    "Søren Kierkegård",
    "Renée Çelik",
    "山田 太郎",
    "Иван Петров",
    "Ελένη Παπαδοπούλου",
)
COMMA_CN = "Doe, Jane"
UNICODE_CN = "Zoë Ångström"
SPECIAL_CN = '#Hash+Plus "Quoted" <Angle>; Semi\\Back'


@dataclass(frozen=True)
class DirectorySpec:
    """What :func:`populate_ldif` creates (all deterministic; the same spec, the same SIDs).

    ``users`` users (``user00001``...) in ``OU=People``, every ``disabled_every``-th one
    disabled (userAccountControl 514) and every ``unicode_every``-th one with a Unicode
    displayName; users 2, 3 and 4 have the CNs :data:`COMMA_CN`, :data:`UNICODE_CN` and
    :data:`SPECIAL_CN` (DN escaping). ``groups`` global security groups (``grp00001``...) in
    ``OU=Groups`` spread over ``nesting_depth`` levels: each user is a member of
    ``groups_per_user`` level-0 groups and each level-L group of one level-(L+1) group, so
    a user is nested ``nesting_depth`` groups deep. Besides these: ``big-group`` with the
    first ``big_group_members`` users, the cycle ``cycle-a`` <-> ``cycle-b``,
    ``managed-group`` (managedBy user 1), the distribution group ``dist-list``,
    ``foreign-members`` (a foreign security principal ``foreign_sid``), a domain-local and
    a universal group, ``computers`` computers in ``OU=Workstations`` and a service account
    ``svc-reader`` (password :data:`USER_PASSWORD`) in ``OU=Services``.
    """

    users: int = 2_000
    groups: int = 50
    nesting_depth: int = 4
    groups_per_user: int = 1
    big_group_members: int = 1_600
    disabled_every: int = 10
    unicode_every: int = 7
    computers: int = 5
    foreign_sid: str = "S-1-5-21-4000-5000-6000-1105"

    def __post_init__(self) -> None:
        if self.users < 10:
            raise ValueError("users must be at least 10")
        if not 1 <= self.nesting_depth <= self.groups:
            raise ValueError("need 1 <= nesting_depth <= groups")
        if not 0 <= self.big_group_members <= self.users:
            raise ValueError("big_group_members must be between 0 and users")
        if self.groups_per_user < 1 or self.disabled_every < 1 or self.unicode_every < 1:
            raise ValueError("groups_per_user, disabled_every and unicode_every must be >= 1")

    def key(self) -> str:
        """A version string for :func:`provision_template`: changes with any field."""
        text = json.dumps({"generator": GENERATOR_FORMAT, **asdict(self)}, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Manifest:
    """Names, DNs and expected counts of what :func:`populate_ldif` creates."""

    spec: DirectorySpec
    base_dn: str
    people_ou: str
    groups_ou: str
    computers_ou: str
    services_ou: str
    user_count: int
    disabled_count: int
    group_count: int
    nested_group_count: int
    computer_count: int
    comma_user_dn: str
    unicode_user_dn: str
    special_user_dn: str
    unicode_display_names: dict[str, str]  # sAMAccountName -> displayName, for a sample
    level_group_dns: tuple[tuple[str, ...], ...]  # nested groups by level, leaf level first
    chain_user_dn: str
    chain_group_dns: tuple[str, ...]  # leaf group .. top group that chain_user is nested in
    chain_user_all_group_dns: frozenset[str]  # every group chain_user is in, transitively
    top_group_dn: str
    top_group_user_count: int  # users nested (at any depth) in top_group
    big_group_dn: str
    big_group_member_count: int
    cycle_group_dns: tuple[str, str]
    managed_group_dn: str
    manager_dn: str
    distribution_group_dn: str
    distribution_member_count: int
    foreign_group_dn: str
    foreign_sid: str
    foreign_dn: str
    domain_local_group_dn: str
    universal_group_dn: str
    service_account_dn: str
    service_account_upn: str
    service_account_password: str = field(repr=False)

    def user_sam(self, index: int) -> str:
        """sAMAccountName of user ``index`` (1-based)."""
        return f"user{index:0{_width(self.spec.users)}d}"


@dataclass(frozen=True)
class Population:
    """LDIF for ``ldbadd`` (records without changetype) and ``ldbmodify``, and its manifest."""

    add_records: list[str]
    modify_records: list[str]
    manifest: Manifest


def _width(count: int) -> int:
    return max(5, len(str(count)))


def escape_rdn_value(value: str) -> str:
    """Escape an attribute value for use in a DN (RFC 4514)."""
    out = []
    for i, char in enumerate(value):
        if char in ',+"\\<>;' or (char == "#" and i == 0):
            out.append("\\" + char)
        elif char == " " and (i == 0 or i == len(value) - 1):
            out.append("\\ ")
        elif char == "\0":
            out.append("\\00")
        else:
            out.append(char)
    return "".join(out)


def _ldif_line(attr: str, value: str | bytes) -> str:
    """One LDIF attribute line, base64-encoded where RFC 2849 requires it (and for bytes)."""
    if isinstance(value, bytes):
        return f"{attr}:: {base64.b64encode(value).decode()}"
    safe = (
        value.isascii()
        and value[:1] not in (" ", ":", "<")
        and not value.endswith(" ")
        and not any(c in value for c in "\0\r\n")
    )
    if safe:
        return f"{attr}: {value}"
    return f"{attr}:: {base64.b64encode(value.encode()).decode()}"


def _record(dn: str, attrs: Sequence[tuple[str, str | bytes]]) -> str:
    return "\n".join([_ldif_line("dn", dn), *(_ldif_line(a, v) for a, v in attrs)]) + "\n"


def populate_ldif(spec: DirectorySpec | None = None) -> Population:
    """Generate the LDIF records (and the manifest) for ``spec`` (default: DirectorySpec())."""
    spec = spec or DirectorySpec()
    b = BASE_DN
    people, groups_ou = f"OU=People,{b}", f"OU=Groups,{b}"
    computers_ou, services_ou = f"OU=Workstations,{b}", f"OU=Services,{b}"
    adds: list[str] = [
        _record(ou, [("objectClass", "organizationalUnit"), ("description", "authmap test data")])
        for ou in (people, groups_ou, computers_ou, services_ou)
    ]
    members: dict[str, list[str]] = {}  # group DN -> member DNs (for the manifest closure)

    width = _width(spec.users)
    user_dns: list[str] = []
    unicode_names: dict[str, str] = {}
    disabled = 0
    special_cns = {2: COMMA_CN, 3: UNICODE_CN, 4: SPECIAL_CN}
    for i in range(1, spec.users + 1):
        sam = f"user{i:0{width}d}"
        cn = special_cns.get(i, sam)
        dn = f"CN={escape_rdn_value(cn)},{people}"
        user_dns.append(dn)
        if i in special_cns:
            display = cn
        elif i % spec.unicode_every == 0:
            display = f"{UNICODE_NAMES[(i // spec.unicode_every) % len(UNICODE_NAMES)]} {i}"
        else:
            display = f"User {i}"
        if not display.isascii() and len(unicode_names) < 20:
            unicode_names[sam] = display
        uac = UAC_DISABLED if i % spec.disabled_every == 0 else UAC_NORMAL
        disabled += uac == UAC_DISABLED
        adds.append(
            _record(
                dn,
                [
                    ("objectClass", "user"),
                    ("sAMAccountName", sam),
                    ("userPrincipalName", f"{sam}@{DNS_DOMAIN}"),
                    ("displayName", display),
                    ("givenName", display.split(" ")[0]),
                    ("sn", f"{i}"),
                    ("mail", f"{sam}@{DNS_DOMAIN}"),
                    ("userAccountControl", str(uac)),
                ],
            )
        )

    gwidth = _width(spec.groups)
    per_level = [
        spec.groups // spec.nesting_depth + (1 if lvl < spec.groups % spec.nesting_depth else 0)
        for lvl in range(spec.nesting_depth)
    ]
    levels: list[list[str]] = []
    number = 0
    for size in per_level:
        level = []
        for _ in range(size):
            number += 1
            level.append(f"CN=grp{number:0{gwidth}d},{groups_ou}")
        levels.append(level)
    for dn in (g for level in levels for g in level):
        members[dn] = []
    leaf = levels[0]
    for i, user_dn in enumerate(user_dns):
        for k in range(min(spec.groups_per_user, len(leaf))):
            members[leaf[(i + k) % len(leaf)]].append(user_dn)
    for lvl in range(1, spec.nesting_depth):
        for p, child in enumerate(levels[lvl - 1]):
            members[levels[lvl][p % len(levels[lvl])]].append(child)

    def group(
        dn: str,
        sam: str,
        group_type: int,
        extra: Sequence[tuple[str, str]] = (),
        member_values: Sequence[str] | None = None,
    ) -> None:
        attrs: list[tuple[str, str | bytes]] = [("objectClass", "group"), ("sAMAccountName", sam)]
        attrs += [("groupType", str(group_type)), *extra]
        values = members.get(dn, []) if member_values is None else member_values
        attrs += [("member", m) for m in values]
        adds.append(_record(dn, attrs))

    for level in levels:  # members before the groups holding them
        for dn in level:
            group(dn, dn[3:].split(",", 1)[0], GROUP_GLOBAL_SECURITY)

    def special(cn: str) -> str:
        return f"CN={cn},{groups_ou}"

    big, cyc_a, cyc_b = special("big-group"), special("cycle-a"), special("cycle-b")
    managed, dist, foreign = (
        special("managed-group"),
        special("dist-list"),
        special("foreign-members"),
    )
    local, universal = special("dl-group"), special("univ-group")
    foreign_dn = f"CN={spec.foreign_sid},CN=ForeignSecurityPrincipals,{b}"
    members[big] = user_dns[: spec.big_group_members]
    members[cyc_a] = [user_dns[1]]
    members[cyc_b] = [cyc_a]
    members[managed] = [user_dns[2]]
    members[dist] = user_dns[:10]
    members[foreign] = [user_dns[0], foreign_dn]
    members[local] = [user_dns[3], levels[-1][0]]
    members[universal] = [user_dns[4], local]
    desc = ("description", "authmap test group")
    group(big, "big-group", GROUP_GLOBAL_SECURITY, [desc])
    group(cyc_a, "cycle-a", GROUP_GLOBAL_SECURITY)
    group(cyc_b, "cycle-b", GROUP_GLOBAL_SECURITY)
    group(managed, "managed-group", GROUP_GLOBAL_SECURITY, [("managedBy", user_dns[0])])
    group(dist, "dist-list", GROUP_GLOBAL_DISTRIBUTION, [("mail", f"dist-list@{DNS_DOMAIN}")])
    # Samba creates the foreignSecurityPrincipal object for a <SID=...> member of another domain
    fsp_members = [user_dns[0], f"<SID={spec.foreign_sid}>"]
    group(foreign, "foreign-members", GROUP_GLOBAL_SECURITY, member_values=fsp_members)
    group(local, "dl-group", GROUP_DOMAIN_LOCAL_SECURITY)
    group(universal, "univ-group", GROUP_UNIVERSAL_SECURITY)
    modifies = [
        f"dn: {cyc_a}\nchangetype: modify\nadd: member\nmember: {cyc_b}\n-\n",
    ]
    members[cyc_a].append(cyc_b)

    cwidth = _width(spec.computers)
    for c in range(1, spec.computers + 1):
        name = f"PC{c:0{cwidth}d}"
        adds.append(
            _record(
                f"CN={name},{computers_ou}",
                [
                    ("objectClass", "computer"),
                    ("sAMAccountName", f"{name}$"),
                    ("userAccountControl", str(UAC_WORKSTATION)),
                    ("dNSHostName", f"{name.lower()}.{DNS_DOMAIN}"),
                    ("operatingSystem", "Windows 11 Enterprise"),
                ],
            )
        )
    svc_dn = f"CN=svc-reader,{services_ou}"
    adds.append(
        _record(
            svc_dn,
            [
                ("objectClass", "user"),
                ("sAMAccountName", "svc-reader"),
                ("userPrincipalName", f"svc-reader@{DNS_DOMAIN}"),
                ("displayName", "authmap read-only service account"),
                ("userAccountControl", str(UAC_NORMAL)),
                ("unicodePwd", f'"{USER_PASSWORD}"'.encode("utf-16-le")),
            ],
        )
    )

    chain_user = user_dns[-1]
    chain = [leaf[(spec.users - 1) % len(leaf)]]
    for lvl in range(1, spec.nesting_depth):
        chain.append(levels[lvl][levels[lvl - 1].index(chain[-1]) % len(levels[lvl])])
    top = chain[-1]
    manifest = Manifest(
        spec=spec,
        base_dn=b,
        people_ou=people,
        groups_ou=groups_ou,
        computers_ou=computers_ou,
        services_ou=services_ou,
        user_count=spec.users,
        disabled_count=disabled,
        group_count=len(members),
        nested_group_count=spec.groups,
        computer_count=spec.computers,
        comma_user_dn=user_dns[1],
        unicode_user_dn=user_dns[2],
        special_user_dn=user_dns[3],
        unicode_display_names=unicode_names,
        level_group_dns=tuple(tuple(level) for level in levels),
        chain_user_dn=chain_user,
        chain_group_dns=tuple(chain),
        chain_user_all_group_dns=frozenset(_groups_of(chain_user, members)),
        top_group_dn=top,
        top_group_user_count=len(_nested_users(top, members, set(user_dns))),
        big_group_dn=big,
        big_group_member_count=spec.big_group_members,
        cycle_group_dns=(cyc_a, cyc_b),
        managed_group_dn=managed,
        manager_dn=user_dns[0],
        distribution_group_dn=dist,
        distribution_member_count=len(members[dist]),
        foreign_group_dn=foreign,
        foreign_sid=spec.foreign_sid,
        foreign_dn=foreign_dn,
        domain_local_group_dn=local,
        universal_group_dn=universal,
        service_account_dn=svc_dn,
        service_account_upn=f"svc-reader@{DNS_DOMAIN}",
        service_account_password=USER_PASSWORD,
    )
    return Population(adds, modifies, manifest)


def _groups_of(dn: str, members: dict[str, list[str]]) -> set[str]:
    """Every group ``dn`` is a member of, transitively (cycles allowed)."""
    parents: dict[str, list[str]] = {}
    for grp, values in members.items():
        for value in values:
            parents.setdefault(value, []).append(grp)
    seen: set[str] = set()
    todo = [dn]
    while todo:
        for grp in parents.get(todo.pop(), []):
            if grp not in seen:
                seen.add(grp)
                todo.append(grp)
    return seen


def _nested_users(group: str, members: dict[str, list[str]], users: set[str]) -> set[str]:
    """Users in ``group`` at any depth."""
    seen: set[str] = set()
    todo = [group]
    while todo:
        for value in members.get(todo.pop(), []):
            if value not in seen:
                seen.add(value)
                todo.append(value)
    return seen & users


def write_ldif(population: Population, directory: Path) -> tuple[Path, Path]:
    """Write ``add.ldif`` and ``modify.ldif`` into ``directory``; return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    add_file, modify_file = directory / "add.ldif", directory / "modify.ldif"
    with add_file.open("w", encoding="utf-8") as out:
        for record in population.add_records:
            out.write(record)
            out.write("\n")
    modify_file.write_text("\n".join(population.modify_records), encoding="utf-8")
    return add_file, modify_file


def load_ldif(template_dir: Path, population: Population) -> None:
    """Add ``population`` to a stopped DC with ``ldbadd``/``ldbmodify`` on its sam.ldb.

    Both run in ldb's batch mode with a large transaction index cache (as ``samba-tool
    domain join`` does): without it every add copies the whole index lists of values that
    all users share (objectClass=user, ...), so the load time grows with the square of the
    user count (10,000 users: 130 s instead of 14 s). In batch mode one failed record
    aborts the whole load, which is what a template build wants.
    """
    scratch = template_dir / "populate"
    add_file, modify_file = write_ldif(population, scratch)
    records = len(population.add_records) + len(population.modify_records)
    common = [
        f"--configfile={template_dir / 'etc' / 'smb.conf'}",
        "-o",
        "batch_mode:1",
        "-o",
        f"transaction_index_cache_size:{max(202_481, 8 * records + 1)}",
        "-H",
        str(template_dir / "private" / "sam.ldb"),
    ]
    try:
        out = _run([_require("ldbadd"), *common, str(add_file)], "ldbadd (populate)")
        _expect_count(out, f"Added {len(population.add_records)} records", "ldbadd")
        if population.modify_records:
            out = _run([_require("ldbmodify"), *common, str(modify_file)], "ldbmodify (populate)")
            _expect_count(out, f"Modified {len(population.modify_records)} records", "ldbmodify")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _expect_count(output: str, wanted: str, tool: str) -> None:
    if wanted not in output:
        tail = "\n".join(output.splitlines()[-_TAIL_LINES:])
        raise SambaError(f"{tool} did not report '{wanted}':\n{tail}")


def ldif_populator(spec: DirectorySpec) -> Callable[[Path], None]:
    """A ``populate`` callable for :func:`provision_template` that loads ``spec`` by LDIF."""

    def populate(template_dir: Path) -> None:
        load_ldif(template_dir, populate_ldif(spec))

    return populate


def directory_template(
    spec: DirectorySpec | None = None, name: str = "authmap"
) -> tuple[Path, Manifest]:
    """The cached template holding ``spec``'s population (built on first use) and its manifest."""
    spec = spec or DirectorySpec()
    population_manifest = populate_ldif(spec).manifest
    template = provision_template(name, ldif_populator(spec), version=f"ldif-{spec.key()}")
    return template, population_manifest


# -- running a domain controller ---------------------------------------------------------------


def ensure_loopback_address(address: str) -> None:
    """Make sure ``address`` (in 127.0.0.0/8) is held by ``lo``, adding it as root if not."""
    ip = ipaddress.ip_address(address)
    if ip.version != 4 or not ip.is_loopback:
        raise SambaError(f"{address} is not an IPv4 loopback address (127.0.0.0/8)")
    ip_tool = _require("ip")
    shown = _run([ip_tool, "-4", "-o", "addr", "show", "dev", "lo"], "ip addr show")
    held = {part.split("/")[0] for line in shown.splitlines() for part in line.split()[3:4]}
    if address in held:
        return
    proc = subprocess.run(
        [ip_tool, "addr", "add", f"{address}/32", "dev", "lo"],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0 and "File exists" not in proc.stderr:
        raise SambaError(
            f"Samba only binds to addresses an interface holds, and adding {address} to lo "
            f"failed ({proc.stderr.strip()}): run as root, or use 127.0.0.1"
        )


def _port_open(address: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((address, port)) == 0


def _pid_alive(pid: int) -> bool:
    """True if ``pid`` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


@dataclass(frozen=True)
class LeftoverSamba:
    """A samba process started by :class:`SambaDC` (this or another process) still running."""

    pid: int
    instance_dir: Path
    address: str
    owner_pid: int


def find_our_sambas() -> list[LeftoverSamba]:
    """Running samba processes whose pid file is inside a ``SambaDC`` scratch directory."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if (proc / "comm").read_text().strip() != "samba":
                continue
            targets = [os.readlink(fd) for fd in (proc / "fd").iterdir()]
        except OSError:
            continue
        for target in targets:
            path = Path(target)
            if path.name != "samba.pid" or not path.parent.parent.parent.name.startswith(
                INSTANCE_PREFIX
            ):
                continue
            instance = path.parent.parent.parent
            try:
                info = json.loads((instance / INSTANCE_FILE).read_text())
                address, owner = str(info["address"]), int(info["owner_pid"])
            except (OSError, ValueError, KeyError):
                address, owner = instance.name.removeprefix(INSTANCE_PREFIX).split("-")[0], 0
            if _pid_alive(int(proc.name)):
                found.append(LeftoverSamba(int(proc.name), instance, address, owner))
            break
    return found


def sweep_stale_instances() -> list[Path]:
    """Remove ``$TMPDIR/authmap-samba-*`` copies whose owner process died without ``stop()``.

    (Samba itself exits when its owner dies: its stdin is a pipe from the owner.) Copies in
    use by a running samba, or whose owner is alive, are kept. Returns the removed paths.
    """
    in_use = {left.instance_dir.resolve() for left in find_our_sambas()}
    removed = []
    for instance in Path(tempfile.gettempdir()).glob(f"{INSTANCE_PREFIX}*"):
        try:
            owner = int(json.loads((instance / INSTANCE_FILE).read_text())["owner_pid"])
        except (OSError, ValueError, KeyError):
            continue  # not ours, or being set up right now
        if instance.resolve() in in_use or owner == os.getpid() or _pid_alive(owner):
            continue
        shutil.rmtree(instance, ignore_errors=True)
        removed.append(instance)
    return removed


def _terminate(pid: int, timeout: float) -> None:
    """SIGTERM ``pid``'s process group (or ``pid``), then SIGKILL after ``timeout``."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            try:
                os.killpg(pid, sig)
            except ProcessLookupError:
                os.kill(pid, sig)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not _pid_alive(pid):
                return
            time.sleep(0.05)


class SambaDC:
    """One ``samba -i -M single`` serving a private copy of a template on one loopback address.

    ``start()`` copies ``template`` (``cp -a``) to ``$TMPDIR/authmap-samba-ADDRESS-*``, points
    its smb.conf there and starts Samba with the test key and certificate and
    ``ldap server require strong auth = no`` (``require_strong_auth=True`` keeps Samba's
    default, which refuses simple binds without TLS); it returns once an anonymous rootDSE
    read works. A samba left running on the address by an earlier ``SambaDC`` whose owner
    process is gone (or is this process) is stopped first; any other listener on the LDAP
    ports is an error. Samba's stdin is a pipe from this process, so Samba also exits when
    this process dies. ``stop()`` stops it and removes the copy.
    """

    def __init__(
        self,
        template: Path | str,
        address: str = "127.0.0.1",
        *,
        require_strong_auth: bool = False,
        extra_options: Sequence[str] = (),
    ) -> None:
        self.template = Path(template)
        self.address = address
        self.require_strong_auth = require_strong_auth
        self.extra_options = tuple(extra_options)
        self.tls: TlsFiles | None = None
        self.instance_dir: Path | None = None
        self.timings: dict[str, float] = {}
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    # -- connection details ------------------------------------------------------------------

    base_dn = BASE_DN
    domain_sid = DOMAIN_SID
    realm = REALM
    netbios_domain = NETBIOS_DOMAIN
    dns_domain = DNS_DOMAIN
    hostname = DC_FQDN
    admin_dn = f"CN=Administrator,CN=Users,{BASE_DN}"
    admin_upn = f"Administrator@{DNS_DOMAIN}"
    admin_netbios = f"{NETBIOS_DOMAIN}\\Administrator"
    admin_password = ADMIN_PASSWORD

    @property
    def ldap_url(self) -> str:
        """``ldap://ADDRESS`` (port 389; StartTLS available)."""
        return f"ldap://{self.address}"

    @property
    def ldaps_url(self) -> str:
        """``ldaps://ADDRESS`` (port 636)."""
        return f"ldaps://{self.address}"

    @property
    def gc_url(self) -> str:
        """The Global Catalog, ``ldap://ADDRESS:3268``."""
        return f"ldap://{self.address}:3268"

    @property
    def ca_file(self) -> Path:
        """The CA certificate that signed the server certificate (for CERT_REQUIRED)."""
        return (self.tls or ensure_tls()).ca_file

    @property
    def pid(self) -> int:
        """The samba process id (also its process group id)."""
        if self._proc is None:
            raise SambaError("samba was not started")
        return self._proc.pid

    @property
    def running(self) -> bool:
        """True while the samba process is alive."""
        return self._proc is not None and self._proc.poll() is None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self, timeout: float = START_TIMEOUT_S) -> Self:
        """Copy the template, start Samba and wait until LDAP answers (``timeout`` seconds)."""
        if self._proc is not None:
            raise SambaError("this SambaDC was already started")
        ensure_samba()
        template_stamp(self.template)
        if self.address not in tls_addresses():
            raise SambaError(
                f"address {self.address} is not named by the test certificate: use one of "
                f"127.0.0.1 .. 127.0.0.{TLS_LOOPBACK_HOSTS}"
            )
        self.tls = ensure_tls()
        ensure_loopback_address(self.address)
        self._clear_address()
        sweep_stale_instances()

        t0 = time.monotonic()
        parent = Path(tempfile.mkdtemp(prefix=f"{INSTANCE_PREFIX}{self.address}-"))
        self.instance_dir = parent
        dc = parent / "dc"
        try:
            _run(["cp", "-a", "--reflink=auto", str(self.template), str(dc)], "copying template")
            conf = dc / "etc" / "smb.conf"
            _set_root(conf, _conf_root(conf), dc)
            (dc / STAMP_FILE).unlink(missing_ok=True)
            info = {
                "address": self.address,
                "owner_pid": os.getpid(),
                "template": str(self.template),
            }
            (parent / INSTANCE_FILE).write_text(json.dumps(info) + "\n")
            t1 = time.monotonic()
            self._spawn(conf, parent / "samba.out")
            self._wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        t2 = time.monotonic()
        self.timings = {"copy": t1 - t0, "start": t2 - t1}
        return self

    def argv(self, conf: Path) -> list[str]:
        """Samba's command line for the smb.conf ``conf`` (no secrets on it)."""
        assert self.tls is not None
        options = {
            "interfaces": self.address,
            "bind interfaces only": "yes",
            "tls enabled": "yes",
            "tls keyfile": str(self.tls.key_file),
            "tls certfile": str(self.tls.cert_file),
            "tls cafile": str(self.tls.ca_file),
        }
        if not self.require_strong_auth:
            options["ldap server require strong auth"] = "no"
        args = [_require("samba"), "-i", "-M", "single", "-s", str(conf)]
        args += [f"--option={key}={value}" for key, value in options.items()]
        return args + [f"--option={opt}" for opt in self.extra_options]

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> int | None:
        """Stop Samba (EOF on stdin and SIGTERM, SIGKILL after ``timeout``), remove the copy.

        Returns samba's exit status (None if it never started). Safe to call twice.
        """
        status = None
        if self._proc is not None:
            if self._proc.poll() is None:
                if self._proc.stdin is not None:
                    with contextlib.suppress(OSError):
                        self._proc.stdin.close()
                self._signal(signal.SIGTERM)
                try:
                    self._proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    self._signal(signal.SIGKILL)
                    self._proc.wait()
            self._signal(signal.SIGKILL)  # any child left in its process group
            status = self._proc.returncode
        self._close_files()
        if self.instance_dir is not None:
            shutil.rmtree(self.instance_dir, ignore_errors=True)
            self.instance_dir = None
        return status

    def kill(self) -> int | None:
        """SIGKILL Samba at once (fault tests); ``stop()`` later still removes the copy."""
        if self._proc is None:
            return None
        if self._proc.poll() is None:
            self._signal(signal.SIGKILL)
            self._proc.wait()
        return self._proc.returncode

    def log_tail(self, lines: int = _TAIL_LINES) -> str:
        """The last lines samba printed (stdout and stderr)."""
        if self.instance_dir is None:
            return ""
        try:
            text = (self.instance_dir / "samba.out").read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- internals ---------------------------------------------------------------------------

    def _clear_address(self) -> None:
        """Stop our own leftover samba on this address; fail if anything else holds a port."""
        for left in find_our_sambas():
            if left.address != self.address:
                continue
            if left.owner_pid not in (0, os.getpid()) and _pid_alive(left.owner_pid):
                raise SambaError(
                    f"{self.address} is in use by the samba (pid {left.pid}) of another "
                    f"running test process (pid {left.owner_pid}): use another address"
                )
            _terminate(left.pid, 5.0)
            shutil.rmtree(left.instance_dir, ignore_errors=True)
        busy = [port for port in LDAP_PORTS if _port_open(self.address, port)]
        if busy:
            raise SambaError(
                f"port(s) {', '.join(map(str, busy))} on {self.address} are in use by a process "
                "that is not a SambaDC: stop it or use another loopback address"
            )

    def _spawn(self, conf: Path, out: Path) -> None:
        self._log = out.open("wb")
        try:
            self._proc = subprocess.Popen(
                self.argv(conf),
                stdin=subprocess.PIPE,  # samba -i exits on EOF: it dies with this process
                stdout=self._log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # own process group: signals reach only samba
            )
        except OSError as exc:
            raise SambaError(f"cannot run samba: {exc}") from exc

    def _wait_ready(self, timeout: float) -> None:
        """Block until an anonymous rootDSE read works; raise if samba exits or times out."""
        assert self._proc is not None
        deadline = time.monotonic() + timeout
        while True:
            if self._proc.poll() is not None:
                raise SambaError(
                    f"samba exited with status {self._proc.returncode} before LDAP answered:\n"
                    f"{self.log_tail()}"
                )
            if _port_open(self.address, 389) and _root_dse_ok(self.address):
                return
            if time.monotonic() > deadline:
                raise SambaError(
                    f"samba on {self.address} did not answer LDAP within {timeout:.0f} s:\n"
                    f"{self.log_tail()}"
                )
            time.sleep(0.05)

    def _signal(self, sig: signal.Signals) -> None:
        assert self._proc is not None
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._proc.pid, sig)

    def _close_files(self) -> None:
        if self._proc is not None and self._proc.stdin is not None:
            with contextlib.suppress(OSError):
                self._proc.stdin.close()
        if self._log is not None:
            self._log.close()
            self._log = None


@contextlib.contextmanager
def ldaps_admin(dc: SambaDC) -> Iterator[Connection]:
    """A simple bind as the domain Administrator over LDAPS (certificate verified against
    ``dc.ca_file``); unbound on exit."""
    tls = Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=str(dc.ca_file))
    server = Server(dc.address, port=636, use_ssl=True, tls=tls)
    conn = Connection(
        server, user=dc.admin_dn, password=dc.admin_password, authentication=SIMPLE, auto_bind=True
    )
    try:
        yield conn
    finally:
        conn.unbind()


def add_accounts(
    dc: SambaDC,
    users: Mapping[str, Mapping[str, Any]],
    groups: Mapping[str, Sequence[str]],
    *,
    password: str,
    disabled: Collection[str] = (),
    user_container: str = "CN=Users",
    group_container: str = "CN=Users",
    group_attributes: Mapping[str, Mapping[str, Any]] | None = None,
) -> None:
    """Add users and nested global security groups to a running DC over LDAPS.

    ``users`` maps each sAMAccountName to its extra attributes (``displayName``, ``mail``...);
    every user also gets a UPN in the DC's DNS domain and ``password``, and is disabled when
    named in ``disabled``. ``groups`` maps each group, created in this order, to its members
    (users or groups, by name), added once every group exists; ``group_attributes`` adds
    attributes to some groups. Users go into ``user_container`` and groups into
    ``group_container`` (RDNs below the base DN, which must exist). The first refusal raises
    ``RuntimeError`` naming the account.
    """
    user_dn, group_dn = f"{user_container},{dc.base_dn}", f"{group_container},{dc.base_dn}"

    def dn(name: str) -> str:
        return f"CN={name},{group_dn}" if name in groups else f"CN={name},{user_dn}"

    with ldaps_admin(dc) as conn:
        for sam, extra in users.items():
            ok = conn.add(
                dn(sam),
                ["top", "person", "organizationalPerson", "user"],
                {
                    "sAMAccountName": sam,
                    "userPrincipalName": f"{sam}@{dc.dns_domain}",
                    **extra,
                    "unicodePwd": f'"{password}"'.encode("utf-16-le"),
                    "userAccountControl": UAC_DISABLED if sam in disabled else UAC_NORMAL,
                },
            )
            if not ok:
                raise RuntimeError(f"adding {sam}: {conn.result}")
        for group in groups:
            extra = (group_attributes or {}).get(group, {})
            attributes = {"sAMAccountName": group, "groupType": GROUP_GLOBAL_SECURITY, **extra}
            if not conn.add(dn(group), ["top", "group"], attributes):
                raise RuntimeError(f"adding {group}: {conn.result}")
        for group, members in groups.items():
            if not conn.modify(dn(group), {"member": [(MODIFY_ADD, [dn(m) for m in members])]}):
                raise RuntimeError(f"members of {group}: {conn.result}")


def _root_dse_ok(address: str) -> bool:
    """True if an anonymous search of the rootDSE on ``address:389`` returns an entry."""
    try:
        server = Server(address, port=389, get_info=NONE, connect_timeout=2)
        conn = Connection(server, auto_bind=False, receive_timeout=5, raise_exceptions=False)
        try:
            conn.open()
            conn.search("", "(objectClass=*)", BASE, attributes=["defaultNamingContext"])
            return bool(conn.entries)
        finally:
            conn.unbind()
    except (LDAPException, OSError):
        return False
