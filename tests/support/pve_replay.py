"""A local Proxmox VE API stand-in: replays the schema-checked fixtures over real HTTPS.

No Proxmox simulator exists, so tests serve ``tests/fixtures/proxmox/pve{8,9}/api/<path>.json``
as ``GET /api2/json/<path>`` answers (``{"data": …}``) from a stdlib HTTP server in a thread,
with the test CA's certificate. It authenticates and authorizes as PVE does:

- an API token (``Authorization: PVEAPIToken=USER@REALM!NAME=SECRET``) or a ticket from
  ``POST /api2/json/access/ticket`` (cookie ``PVEAuthCookie``); anything else is 401;
- each endpoint's ``permissions`` from Proxmox's published schema (``["perm", path, privs,
  "any", 1]``, ``and``/``or``) are evaluated with the fixture cluster's own ACLs by
  ``app.parity.pve_acl``: a failed check is 403 ``Permission check failed (/vms/103,
  VM.Audit)``;
- lists PVE filters by the caller's privileges (``/cluster/resources``, ``/storage``,
  ``/pools``, ``/cluster/sdn/zones``, ``/access/acl``) are filtered the same way, silently, as
  the real API does.

Faults are injected per path: ``replay.fail("/cluster/ha/rules", [500])``.
"""

from __future__ import annotations

import json
import re
import secrets
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from app.parity.pve_acl import AccessConfig, from_api, privileges
from tests.support.pve_schema import endpoint_for, load
from tests.support.samba_ad import ensure_tls

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "proxmox"
PREFIX = "/api2/json"
TOKEN_ID = "svc-authmap@pve!audit"
TOKEN_SECRET = "5c1f4e0a-9d2b-4c7e-8f3a-6b0d1e2f3a4b"
USER = "svc-authmap@pve"
PASSWORD = "Pve-Test-0nly-Passw0rd!"


def load_documents(version: int) -> dict[str, Any]:
    """Every fixture payload of PVE ``version`` by its API path (``/cluster/resources``)."""
    root = FIXTURES / f"pve{version}" / "api"
    return {
        "/" + str(p.relative_to(root).with_suffix("")): json.loads(p.read_text())
        for p in sorted(root.rglob("*.json"))
    }


@dataclass
class PveReplay:
    """The server; use as a context manager. ``documents`` may be changed while it runs."""

    version: int = 9
    tokens: dict[str, str] = field(default_factory=lambda: {TOKEN_ID: TOKEN_SECRET})
    passwords: dict[str, str] = field(default_factory=lambda: {USER: PASSWORD})
    documents: dict[str, Any] = field(default_factory=dict)
    faults: dict[str, list[int]] = field(default_factory=dict)
    requests: list[tuple[str, str, str]] = field(default_factory=list)
    """(method, path, principal or "-") of every request received."""

    def __post_init__(self) -> None:
        self.documents = self.documents or load_documents(self.version)
        self.tickets: dict[str, str] = {}
        self.lock = threading.Lock()
        tls = ensure_tls()
        self.ca_file = tls.ca_file
        self._context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._context.load_cert_chain(str(tls.cert_file), str(tls.key_file))
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """``https://127.0.0.1:<port>``."""
        assert self._server is not None
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    def fail(self, path: str, statuses: list[int]) -> None:
        """Answer the next requests for ``path`` with these statuses."""
        with self.lock:
            self.faults[path] = list(statuses)

    def access(self) -> AccessConfig:
        """The fixture cluster's access configuration, as the permission checks see it."""
        docs = self.documents
        pools = {p["poolid"]: docs.get(f"/pools/{p['poolid']}", {}) for p in docs["/pools"]}
        return from_api(docs["/access/acl"], docs["/access/roles"], docs["/access/users"], pools)

    def __enter__(self) -> Self:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.socket = self._context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None and self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    # -- answering -------------------------------------------------------------------------
    def answer(self, method: str, path: str, headers: Any, body: bytes) -> tuple[int, Any, str]:
        """Status, JSON body and Set-Cookie value (or "") for one request."""
        if not path.startswith(PREFIX):
            return 404, {"data": None}, ""
        path = path[len(PREFIX) :].rstrip("/") or "/"
        if method == "POST" and path == "/access/ticket":
            return self._ticket(body)
        principal = self._authenticate(headers)
        with self.lock:
            self.requests.append((method, path, principal or "-"))
            queue = self.faults.get(path)
            fault = queue.pop(0) if queue else None
        if principal is None:
            return 401, {"data": None, "message": "authentication failure"}, ""
        if fault is not None:
            return fault, {"data": None, "message": "internal error"}, ""
        if method != "GET":
            return 501, {"data": None, "message": f"Method '{method} {path}' not implemented"}, ""
        if path == "/access/permissions":
            return 200, {"data": self._permissions(principal)}, ""
        endpoints = load(self.version)["endpoints"]
        template = endpoint_for(path, endpoints)
        if template is None or path not in self.documents:
            return 404, {"data": None, "message": f"No '{path}' here"}, ""
        can = _privileges_on(self.access(), principal)
        denied = _check(endpoints[template]["permissions"], _params(template, path), can)
        if denied:
            return 403, {"data": None, "message": f"Permission check failed ({denied})"}, ""
        return 200, {"data": _filtered(path, self.documents[path], can)}, ""

    def _permissions(self, principal: str) -> dict[str, dict[str, int]]:
        """``GET /access/permissions?path=/`` as PVE answers it for the caller: its privileges
        on ``/`` (1: propagated)."""
        return {"/": {priv: 1 for priv in sorted(privileges(self.access(), principal, "/"))}}

    def _ticket(self, body: bytes) -> tuple[int, Any, str]:
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        user = form.get("username", "")
        if self.passwords.get(user) != form.get("password"):
            return 401, {"data": None, "message": "authentication failure"}, ""
        ticket = f"PVE:{user}:{secrets.token_hex(16)}"
        with self.lock:
            self.tickets[ticket] = user
        data = {"username": user, "ticket": ticket, "CSRFPreventionToken": secrets.token_hex(8)}
        return 200, {"data": data}, f"PVEAuthCookie={ticket}; Path=/; Secure"

    def _authenticate(self, headers: Any) -> str | None:
        match = re.fullmatch(
            r"PVEAPIToken=([^!=\s]+![^=\s]+)=(\S+)", headers.get("Authorization", "")
        )
        if match:
            token, secret = match.groups()
            ok = secrets.compare_digest(self.tokens.get(token, ""), secret)
            return token if ok and token in self.tokens else None
        for part in headers.get("Cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == "PVEAuthCookie" and value in self.tickets:
                return self.tickets[value]
        return None


def _privileges_on(config: AccessConfig, principal: str) -> Callable[[str], frozenset[str]]:
    return lambda path: privileges(config, principal, path)


def _params(template: str, path: str) -> dict[str, str]:
    """The values of a template's placeholders in a concrete path."""
    pairs = zip(template.strip("/").split("/"), path.strip("/").split("/"), strict=True)
    return {t[1:-1]: p for t, p in pairs if t.startswith("{")}


def _check(
    spec: dict[str, Any], params: dict[str, str], can: Callable[[str], frozenset[str]]
) -> str:
    """ "" when the permission spec allows the call, else what failed ("/vms/103, VM.Audit")."""
    if "check" not in spec:
        return ""
    return _expr(spec["check"], params, can)


def _expr(expr: list[Any], params: dict[str, str], can: Callable[[str], frozenset[str]]) -> str:
    head = expr[0]
    if head in ("and", "or"):
        failures = [_expr(sub, params, can) for sub in expr[1:]]
        failed = [f for f in failures if f]
        if head == "and":
            return failed[0] if failed else ""
        return failed[0] if len(failed) == len(failures) else ""
    if head != "perm":
        return f"{head}: not evaluated by the replay"
    path = re.sub(r"\{(\w+)\}", lambda m: params.get(m.group(1), m.group(0)), expr[1])
    wanted = set(expr[2])
    options = dict(zip(expr[3::2], expr[4::2], strict=False))
    held = can(path)
    ok = bool(wanted & held) if options.get("any") else wanted <= held
    return "" if ok else f"{path}, {'|'.join(sorted(wanted))}"


def _filtered(path: str, data: Any, can: Callable[[str], frozenset[str]]) -> Any:
    """A list as PVE returns it to this caller: only the entries it may see."""
    if path == "/cluster/resources":
        return [row for row in data if _resource_visible(row, can)]
    if path == "/storage":
        audit = {"Datastore.Audit", "Datastore.AllocateSpace"}
        return [row for row in data if audit & can(f"/storage/{row['storage']}")]
    if path == "/pools":
        return [row for row in data if "Pool.Audit" in can(f"/pool/{row['poolid']}")]
    if path == "/cluster/sdn/zones":
        sdn = {"SDN.Audit", "SDN.Allocate"}
        return [row for row in data if sdn & can(f"/sdn/zones/{row['zone']}")]
    if path == "/access/acl" and "Sys.Audit" not in can("/access"):
        return [row for row in data if "Permissions.Modify" in can(row["path"])]
    return data


def _resource_visible(row: dict[str, Any], can: Callable[[str], frozenset[str]]) -> bool:
    kind = row["type"]
    if kind in ("qemu", "lxc"):
        return "VM.Audit" in can(f"/vms/{row['vmid']}")
    if kind == "storage":
        return bool(
            {"Datastore.Audit", "Datastore.AllocateSpace"} & can(f"/storage/{row['storage']}")
        )
    if kind == "node":
        return "Sys.Audit" in can(f"/nodes/{row['node']}")
    if kind == "pool":
        return "Pool.Audit" in can(f"/pool/{row['pool']}")
    return True


def _handler(replay: PveReplay) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            status, payload, cookie = replay.answer(
                method, urlsplit(self.path).path, self.headers, body
            )
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json;charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            if cookie:
                self.send_header("Set-Cookie", cookie)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

    return Handler
