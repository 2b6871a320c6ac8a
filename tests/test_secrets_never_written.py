"""No secret is ever written: a full run with distinctive secrets, then a grep of everything.

One module-scoped run drives every command as a user would, with debug logging (``-vv``):
collect vCenter (vcsim with its own login), AD (a Samba DC on 127.0.0.41, bound as a user
created with its own password) and NSX (the replay server with its own basic-auth password)
to snapshot files; load and derive; ingest each source; every error path (wrong password per
source, unreachable servers, a wrong Neo4j password); teams, platforms and the decision
lifecycle with actors and notes; API tokens; ``authmap serve`` (stdout, stderr) answering
good and bad calls (401, 403, 412, 428) and exports; the report, ``owners export``, the
audits (JSON, HTML) and the event log. Then every captured output, every file under the
test's directories (``.gz`` decompressed), the managed Neo4j's files and a dump of every
node and relationship property are searched for each secret, as is and base64- and
URL-encoded. The only expected appearance is a token on the stdout of the command (or the
API answer) that created it.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import ssl
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import httpx
import pytest
from ldap3 import SIMPLE, Connection, Server, Tls

from app.graph import Graph
from tests.conftest import REPO, Neo4jInstance, free_port, query
from tests.support.dc41 import ADDRESS, dc41, self_signed_cert
from tests.support.nsx_replay import NsxReplay
from tests.support.samba_ad import DNS_DOMAIN, SambaDC
from tests.support.service import serve
from tests.support.vcsim import VcsimServer, ensure_vcsim_binary

VC_USER = "probe-auditor"
VC_PASSWORD = "Vc-Pr0be!S3cret/9q+Zm"
AD_SAM = "svc-secret-probe"
AD_PASSWORD = "Ad-B1nd#Pr0be&S3cret=7w"
NSX_USER = "probe-nsx"
NSX_PASSWORD = "Nsx-Pr0be%S3cret?K4x:z"
WRONG = {
    "vcenter": "Wr0ng-Vc-Pr0be-31x!",
    "ad": "Wr0ng-Ad-Pr0be-72y!",
    "nsx": "Wr0ng-Nsx-Pr0be-53z!",
    "neo4j": "Neo4j-Wr0ng#Pr0be-8d",
}


@dataclass
class Output:
    """What one command (or API call) wrote, and whether it may hold a token."""

    what: str
    text: str
    may_show: frozenset[str] = frozenset()


@dataclass
class Run:
    """Everything the full run produced and the secrets it used."""

    secrets: dict[str, str] = field(default_factory=dict)
    outputs: list[Output] = field(default_factory=list)
    codes: list[tuple[str, int]] = field(default_factory=list)
    roots: list[Path] = field(default_factory=list)
    home: Path = Path()
    tokens: dict[str, str] = field(default_factory=dict)
    dump: str = ""

    def said(self, prefix: str) -> str:
        """Everything the commands starting with ``prefix`` printed (for failure messages)."""
        return "\n".join(
            o.text for o in self.outputs if o.what.split(" ", 2)[-1].startswith(prefix)
        )

    def codes_of(self, prefix: str) -> list[int]:
        """Exit codes (or HTTP statuses) of the commands whose line starts with ``prefix``."""
        return [code for name, code in self.codes if name.startswith(prefix)]

    def cli(
        self,
        env: Mapping[str, str],
        *args: str,
        stdout_file: Path | None = None,
        may_show: frozenset[str] = frozenset(),
        verbosity: str = "-vv",
    ) -> subprocess.CompletedProcess[str]:
        """Run ``authmap -vv ARGS``; keep stdout and stderr (stdout may be saved to a file).

        Bulk writes (``load``, ``derive``) run with ``-v``: at debug level the Neo4j driver
        logs every batch of rows, source data the graph dump covers anyway."""
        proc = _authmap(env, verbosity, args)
        self.record(args, proc, stdout_file, may_show)
        return proc

    def batch(self, env: Mapping[str, str], *commands: Sequence[str]) -> None:
        """Run independent commands (``-vv``) at the same time; record them in order."""
        with ThreadPoolExecutor(max_workers=4) as pool:
            procs = list(pool.map(lambda args: _authmap(env, "-vv", args), commands))
        for args, proc in zip(commands, procs, strict=True):
            self.record(args, proc)

    def record(
        self,
        args: Sequence[str],
        proc: subprocess.CompletedProcess[str],
        stdout_file: Path | None = None,
        may_show: frozenset[str] = frozenset(),
    ) -> None:
        """Keep a finished command's exit code and output."""
        name = " ".join(args)
        self.codes.append((name, proc.returncode))
        self.outputs.append(Output(f"stdout of {name}", proc.stdout, may_show))
        self.outputs.append(Output(f"stderr of {name}", proc.stderr))
        if stdout_file is not None:
            stdout_file.write_text(proc.stdout)


def _authmap(
    env: Mapping[str, str], verbosity: str, args: Sequence[str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", verbosity, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=REPO,
        timeout=300,
    )


def forms(secret: str, user: str | None = None) -> set[str]:
    """The secret as is, base64 (standard and URL-safe), URL-encoded, and basic-auth header."""
    raw = secret.encode()
    found = {
        secret,
        base64.b64encode(raw).decode(),
        base64.urlsafe_b64encode(raw).decode(),
        quote(secret, safe=""),
        quote_plus(secret),
    }
    if user is not None:
        found.add(base64.b64encode(f"{user}:{secret}".encode()).decode())
    return {f.rstrip("=") for f in found}


def find_secrets(run: Run, data: str | bytes, allowed: frozenset[str] = frozenset()) -> list[str]:
    """Names of the secrets (in any form) that occur in ``data``, except ``allowed`` ones."""
    users = {"vcenter": VC_USER, "nsx": NSX_USER, "ad": f"{AD_SAM}@{DNS_DOMAIN}"}
    blob = data if isinstance(data, bytes) else data.encode()
    hits = []
    for name, secret in run.secrets.items():
        if name in allowed:
            continue
        if any(form.encode() in blob for form in forms(secret, users.get(name))):
            hits.append(name)
    return hits


def file_bytes(path: Path) -> bytes:
    """A file's content (gzip decompressed)."""
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.endswith(".gz") else data


# -- the full run ------------------------------------------------------------------------------


def _add_bind_user(dc: SambaDC, ca_file: Path) -> str:
    """Create the AD user the collector binds as, with :data:`AD_PASSWORD`; its UPN."""
    tls = Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=str(ca_file))
    server = Server(dc.address, port=636, use_ssl=True, tls=tls)
    conn = Connection(server, dc.admin_dn, dc.admin_password, authentication=SIMPLE)
    assert conn.bind(), conn.result
    upn = f"{AD_SAM}@{DNS_DOMAIN}"
    ok = conn.add(
        f"CN={AD_SAM},OU=Services,{dc.base_dn}",
        ["top", "person", "organizationalPerson", "user"],
        {
            "sAMAccountName": AD_SAM,
            "userPrincipalName": upn,
            "unicodePwd": f'"{AD_PASSWORD}"'.encode("utf-16-le"),
            "userAccountControl": 512,
        },
    )
    assert ok, conn.result
    conn.unbind()
    return upn


def _api(run: Run, base: str, tokens: Mapping[str, str]) -> None:
    """Good and bad API calls; every answer (status, headers, body) is kept."""
    admin = {"Authorization": f"Bearer {tokens['admin']}"}
    viewer = {"Authorization": f"Bearer {tokens['viewer']}"}
    with httpx.Client(base_url=base, timeout=60) as client:

        def call(
            method: str, path: str, *, may_show: frozenset[str] = frozenset(), **kw: Any
        ) -> httpx.Response:
            answer = client.request(method, path, **kw)
            run.outputs.append(
                Output(
                    f"API {method} {path} ({answer.status_code})",
                    f"{answer.status_code}\n{answer.headers}\n{answer.text}",
                    may_show,
                )
            )
            run.codes.append((f"API {method} {path}", answer.status_code))
            return answer

        def status(method: str, path: str, **kw: Any) -> int:
            return call(method, path, **kw).status_code

        call("GET", "/api/health")
        call("GET", "/api/health", headers=admin)
        assert status("GET", "/api/summary") == 401
        wrong = {"Authorization": f"Bearer {tokens['admin'][:-4]}AAAA"}
        assert status("GET", "/api/summary", headers=wrong) == 401
        malformed = {"Authorization": f"Bearer {AD_PASSWORD}"}
        assert status("GET", "/api/stats", headers=malformed) == 401
        for path in ("/api/summary", "/api/stats", "/api/search?q=DC0", "/api/teams",
                     "/api/platforms", "/api/audits", "/api/events", "/api/tokens",
                     "/api/decisions?limit=1000", "/openapi.json"):  # fmt: skip
            assert status("GET", path, headers=admin) == 200, path
        decisions = client.get("/api/decisions?limit=5&status=unowned", headers=admin).json()
        target = decisions["items"][0]["id"]
        one = call("GET", f"/api/decisions/{quote(target, safe='')}", headers=admin)
        etag = one.headers["ETag"]
        path = f"/api/decisions/{quote(target, safe='')}/assign"
        body = {"team": "team-probe", "note": "assigned through the API"}
        assert status("POST", path, json=body, headers=admin) == 428
        assert status("POST", path, json=body, headers={**viewer, "If-Match": etag}) == 403
        assert status("POST", path, json=body, headers={**admin, "If-Match": etag}) == 200
        assert status("POST", path, json=body, headers={**admin, "If-Match": etag}) == 412
        node = call("GET", f"/api/nodes/{quote(target, safe='')}", headers=admin)
        assert node.status_code == 200
        call("GET", f"/api/nodes/{quote(target, safe='')}/neighbourhood?depth=2", headers=admin)
        assert status("POST", "/api/audits/authority-vacuum/run", headers=admin) == 200
        for cypher in ("MATCH (t:ApiToken) RETURN t", "MATCH (t:ApiToken) RETURN t.hash AS h",
                       "MATCH (n) RETURN n LIMIT 1000", "MATCH ()-[r]->() RETURN r LIMIT 1000",
                       "MATCH (e:Event) RETURN e"):  # fmt: skip
            answer = call("POST", "/api/cypher", json={"query": cypher}, headers=viewer)
            assert answer.status_code == 200, answer.text
        created = call(
            "POST",
            "/api/tokens",
            json={"name": "probe-api", "role": "viewer"},
            headers=admin,
            may_show=frozenset({"api-token"}),
        )
        assert created.status_code in (200, 201), created.text
        run.secrets["api-token"] = created.json()["token"]
        api_token = {"Authorization": f"Bearer {run.secrets['api-token']}"}
        assert status("GET", "/api/stats", headers=api_token) == 200
        assert status("DELETE", "/api/tokens/probe-api", headers=admin) == 200
        assert status("GET", "/api/stats", headers=api_token) == 401


@pytest.fixture(scope="module")
def full_run(
    neo4j_instance: Neo4jInstance, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Run]:
    """Drive every command once with distinctive secrets; return what was written."""
    db = neo4j_instance
    work = tmp_path_factory.mktemp("secrets-run")
    snaps, logs = work / "snapshots", work / "logs"
    snaps.mkdir()
    logs.mkdir()
    neo4j_password = (db.home / "neo4j" / "password").read_text().strip()
    run = Run(roots=[work], home=db.home)
    run.secrets = {
        "vcenter": VC_PASSWORD,
        "ad": AD_PASSWORD,
        "nsx": NSX_PASSWORD,
        "neo4j": neo4j_password,
        **{f"wrong-{k}": v for k, v in WRONG.items()},
    }
    cert, key = self_signed_cert(work / "tls", ADDRESS)
    sim = VcsimServer(
        ensure_vcsim_binary(),
        cluster=1,
        host=2,
        vm=1,
        standalone_host=0,
        username=VC_USER,
        password=VC_PASSWORD,
    )
    nsx = NsxReplay(user=NSX_USER, password=NSX_PASSWORD)
    with sim, dc41(cert, key) as dc, nsx:
        vc_ca = work / "tls" / "vcsim.pem"
        vc_ca.write_text(ssl.get_server_certificate((sim.host, sim.port)))
        upn = _add_bind_user(dc, cert)
        env = {**db.env, "VC_PW": VC_PASSWORD, "AD_PW": AD_PASSWORD, "NSX_PW": NSX_PASSWORD}
        vc = ["--server", f"{sim.host}:{sim.port}", "--user", VC_USER, "--password-env", "VC_PW"]
        ad = ["--server", dc.ldaps_url, "--user", upn, "--password-env", "AD_PW"]
        ns = ["--url", nsx.url, "--user", NSX_USER, "--password-env", "NSX_PW"]
        with Graph(db.settings()) as connected:
            connected.write_chunked("admin/wipe", {})
        # Collect to snapshot files, load them, derive.
        run.batch(
            env,
            ["collect", "vcenter", *vc, "--ca-file", str(vc_ca),
             "--out", str(snaps / "vc.jsonl.gz")],
            ["collect", "ad", *ad, "--ca-file", str(cert), "--out", str(snaps / "ad.jsonl.gz")],
            ["collect", "nsx", *ns, "--ca-file", str(nsx.ca_file), "--session",
             "--out", str(snaps / "nsx.jsonl")],
        )  # fmt: skip
        snapshots = [str(snaps / n) for n in ("vc.jsonl.gz", "ad.jsonl.gz", "nsx.jsonl")]
        run.cli(env, "load", "--json", *snapshots, verbosity="-v")
        run.cli(env, "derive", verbosity="-v")
        # Ingest each source live (vCenter with --insecure: its warning path too).
        run.cli(env, "ingest", "vcenter", *vc, "--insecure")
        run.cli(env, "ingest", "ad", *ad, "--ca-file", str(cert))
        run.cli(env, "ingest", "nsx", *ns, "--ca-file", str(nsx.ca_file))
        # Error paths: wrong passwords, unreachable servers, a wrong Neo4j password.
        bad = {**db.env, "VC_PW": WRONG["vcenter"], "AD_PW": WRONG["ad"], "NSX_PW": WRONG["nsx"]}
        run.batch(
            bad,
            ["ingest", "vcenter", *vc, "--ca-file", str(vc_ca)],
            ["ingest", "ad", *ad, "--ca-file", str(cert)],
            ["ingest", "nsx", *ns, "--ca-file", str(nsx.ca_file)],
            ["collect", "nsx", *ns, "--ca-file", str(nsx.ca_file), "--session",
             "--out", str(snaps / "refused.jsonl")],
        )  # fmt: skip
        down, nowhere = free_port(), str(snaps / "nowhere.jsonl")
        wrong_db = {**env, "NEO4J_URI": f"bolt://127.0.0.1:{db.port}"}
        run.batch(
            {**wrong_db, "NEO4J_PASSWORD": WRONG["neo4j"]},
            ["collect", "vcenter", "--server", f"127.0.0.1:{down}", "--user", VC_USER,
             "--password-env", "VC_PW", "--insecure", "--out", nowhere],
            ["collect", "ad", "--server", f"ldaps://127.0.0.1:{down}", "--user", upn,
             "--password-env", "AD_PW", "--ca-file", str(cert), "--out", nowhere],
            ["collect", "nsx", "--url", f"https://127.0.0.1:{down}", "--user", NSX_USER,
             "--password-env", "NSX_PW", "--ca-file", str(nsx.ca_file), "--out", nowhere],
            ["ingest", "vcenter", *vc, "--ca-file", str(vc_ca)],
        )  # fmt: skip
        # The right Neo4j password given explicitly (not from AUTHMAP_HOME) works.
        run.cli({**wrong_db, "NEO4J_PASSWORD": neo4j_password}, "db", "stats")
        # Human data: teams, platforms, the decision lifecycle with actors and notes.
        run.cli(env, "teams", "add", "team-probe", "--contact", "probe@example.test",
                "--directory-group", "CORP\\grp00001", "--actor", "lead-probe")  # fmt: skip
        run.cli(env, "platforms", "add", "pve-probe", "--kind", "Proxmox VE")
        listed = run.cli(env, "decisions", "list", "--format", "json")
        ids = [d["id"] for d in json.loads(listed.stdout)]
        first = ids[0]
        note = ["--note", "checked with the DBA team"]
        run.cli(env, "decisions", "assign", first, "--team", "team-probe", "--actor", "lead", *note)
        run.cli(env, "decisions", "accept", first, "--actor", "dba-probe", *note)
        run.cli(env, "decisions", "enforce", first, "--platform", "pve-probe", "--reference",
                "ha-group prod", "--kind", "ha-rule", "--actor", "dba-probe", *note)  # fmt: skip
        run.cli(env, "decisions", "verify", first, "--method", "dr_drill", "--result", "pass",
                "--actor", "dba-probe", *note)  # fmt: skip
        run.cli(env, "decisions", "accept", first, "--actor", "dba-probe", "--if-version", "1")
        # API tokens: the plaintext appears once, on the stdout of `tokens create`.
        for role in ("admin", "viewer"):
            made = run.cli(env, "tokens", "create", "--name", f"probe-{role}", "--role", role,
                           may_show=frozenset({f"token-{role}"}))  # fmt: skip
            run.tokens[role] = made.stdout.strip()
            run.secrets[f"token-{role}"] = run.tokens[role]
        run.cli(env, "tokens", "list", "--json")
        with serve(env, args=["-vv"], logs=logs) as service:  # -vv: debug logging
            _api(run, service.base, run.tokens)
        run.cli(env, "tokens", "revoke", "probe-viewer")
        # Exports: the report, owners, audits (JSON, HTML), the event log.
        run.cli(env, "report", "--out", str(work / "report"))
        run.cli(env, "owners", "export", stdout_file=work / "owners.yaml")
        for fmt in ("json", "html"):
            run.cli(env, "audit", "--format", fmt, stdout_file=work / f"audit.{fmt}")
        run.cli(env, "events", "--json", stdout_file=work / "events.json")
    nodes = query(db, "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props")
    rels = query(db, "MATCH ()-[r]->() RETURN type(r) AS type, properties(r) AS props")
    run.dump = json.dumps({"nodes": nodes, "rels": rels}, default=str, ensure_ascii=False)
    yield run


# -- the checks --------------------------------------------------------------------------------


def test_the_run_did_what_it_claims(full_run: Run) -> None:
    """It collected, loaded and served, and every error path really failed: a grep of a run
    that did nothing would prove nothing."""
    run = full_run
    for prefix in ("load", "derive", "db stats", "teams add", "platforms add", "decisions list",
                   "decisions assign", "decisions enforce", "decisions verify", "tokens",
                   "report", "owners export", "events"):  # fmt: skip
        assert run.codes_of(prefix) and set(run.codes_of(prefix)) == {0}, run.said(prefix)
    assert run.codes_of("audit") == [1, 1]  # findings (exit 1), not errors (2)
    # Good collections, then wrong passwords and unreachable servers.
    assert run.codes_of("collect vcenter") == [0, 2], run.said("collect vcenter")
    assert run.codes_of("collect ad") == [0, 2], run.said("collect ad")
    assert run.codes_of("collect nsx") == [0, 2, 2], run.said("collect nsx")
    # Live ingests, then wrong passwords (and for vCenter a wrong Neo4j password).
    assert run.codes_of("ingest vcenter") == [0, 2, 2], run.said("ingest vcenter")
    assert run.codes_of("ingest ad") == [0, 2], run.said("ingest ad")
    assert run.codes_of("ingest nsx") == [0, 2], run.said("ingest nsx")
    assert run.codes_of("decisions accept") == [0, 2]  # the stale --if-version is refused
    assert run.codes_of("API GET /api/summary") == [401, 401, 200]  # none, wrong, admin
    assert run.codes_of("API POST /api/decisions/") == [428, 403, 200, 412]
    assert run.codes_of("API GET /api/stats") == [401, 200, 200, 401]  # last: revoked
    said = "\n".join(o.text for o in run.outputs)
    for message in ("rejected the credentials", "refused", "cannot reach", "OFF (--insecure)",
                    "refused the credentials of user 'neo4j'"):  # fmt: skip
        assert message in said, message
    labels = {label for label in json.loads(run.dump)["nodes"] for label in label["labels"]}
    assert {"Cluster", "ADUser", "NsxRule", "Decision", "ApiToken", "Event"} <= labels


def test_the_search_would_find_a_secret(full_run: Run) -> None:
    """The search itself works: it finds each token where it is allowed to be, and a
    password in a basic-auth header."""
    for output in full_run.outputs:
        if output.may_show:
            assert set(find_secrets(full_run, output.text)) == set(output.may_show)
    header = base64.b64encode(f"{NSX_USER}:{NSX_PASSWORD}".encode()).decode()
    assert find_secrets(full_run, f"Authorization: Basic {header}") == ["nsx"]
    assert find_secrets(full_run, quote(AD_PASSWORD, safe="")) == ["ad"]


def test_no_secret_in_any_output(full_run: Run) -> None:
    """stdout and stderr of every command (debug logging on) and every API answer."""
    leaks = {
        output.what: hits
        for output in full_run.outputs
        if (hits := find_secrets(full_run, output.text, output.may_show))
    }
    assert leaks == {}


def _written_files(run: Run) -> Iterator[Path]:
    skip = run.home / "neo4j" / "password"  # the managed server's password file, mode 0600
    for root in [*run.roots, run.home]:
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink() and path != skip:
                yield path


def test_no_secret_in_any_file(full_run: Run) -> None:
    """Snapshots (gzip decompressed), report, exports, serve's logs, and every file of the
    managed Neo4j (its logs, configuration and store) except its password file."""
    seen = 0
    leaks = {}
    for path in _written_files(full_run):
        seen += 1
        if hits := find_secrets(full_run, file_bytes(path)):
            leaks[str(path)] = hits
    assert leaks == {}
    assert seen > 10


def test_no_secret_in_the_graph_and_tokens_are_hashed(full_run: Run) -> None:
    """Every node and relationship property; tokens are there only as SHA-256 of the secret."""
    assert find_secrets(full_run, full_run.dump) == []
    nodes = json.loads(full_run.dump)["nodes"]
    hashes = {n["props"].get("hash") for n in nodes if "ApiToken" in n["labels"]}
    for name in ("token-admin", "token-viewer", "api-token"):
        token = full_run.secrets[name]
        token_id, secret = token.removeprefix("amt_").split("_", 1)
        assert hashlib.sha256(secret.encode()).hexdigest() in hashes, name
        assert token_id in full_run.dump  # the id is not secret: it names the node
