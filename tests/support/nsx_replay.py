"""A local NSX manager stand-in: replays documented Policy API payloads over real HTTPS.

No NSX simulator exists, so tests serve the JSON files under ``tests/fixtures/nsx/api/``
(``<URL path>.json``) from a stdlib HTTP server in a thread, with the test CA's certificate
(``tests.support.samba_ad.ensure_tls``: only openssl is needed). List documents
(``{"results": [...]}``) are split into cursor pages as NSX does: ``page_size`` from the
query (capped by ``max_page_size``), an opaque ``cursor`` on every page but the last, and
``result_count`` on the first page only. Requests need basic auth or a session from
``POST /api/session/create`` (cookie + ``X-XSRF-TOKEN``). Faults are injected per page::

    with NsxReplay(max_page_size=2) as nsx:
        nsx.fail(f"{POLICY}/infra/segments", page=1, statuses=[500])   # the 2nd page fails
        ...
"""

from __future__ import annotations

import base64
import copy
import json
import secrets
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from tests.support.samba_ad import TlsFiles, ensure_tls

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "nsx"
API = FIXTURES / "api"
POLICY = "/policy/api/v1"
USER = "audit-ro"
PASSWORD = "Nsx-Test-0nly-Passw0rd!"


def load_documents(root: Path = API) -> dict[str, Any]:
    """Every fixture document by its URL path."""
    return {
        "/" + str(path.relative_to(root).with_suffix("")): json.loads(path.read_text())
        for path in sorted(root.rglob("*.json"))
    }


def _error(status: int, code: int, message: str) -> dict[str, Any]:
    names = {401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND", 500: "INTERNAL_SERVER_ERROR"}
    return {
        "httpStatus": names.get(status, "SERVICE_UNAVAILABLE"),
        "error_code": code,
        "module_name": "common-services",
        "error_message": message,
    }


@dataclass
class Request:
    """One request the replay server received."""

    method: str
    path: str
    params: dict[str, str]
    auth: str


@dataclass
class NsxReplay:
    """The server; use as a context manager. ``documents`` may be changed while it runs."""

    max_page_size: int = 2
    user: str = USER
    password: str = PASSWORD
    documents: dict[str, Any] = field(default_factory=load_documents)
    requests: list[Request] = field(default_factory=list)
    faults: dict[tuple[str, int], list[int]] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)
    port: int = 0
    """The port to listen on (0: a free one); give a stopped server's port to restart it."""
    tls: TlsFiles | None = None
    """Key and certificate to serve (default: the shared test CA's, ``ensure_tls()``)."""

    def __post_init__(self) -> None:
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.lock = threading.Lock()
        tls = self.tls or ensure_tls()
        self.ca_file = tls.ca_file
        self._context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._context.load_cert_chain(str(tls.cert_file), str(tls.key_file))

    @property
    def url(self) -> str:
        """``https://127.0.0.1:<port>``."""
        assert self._server is not None
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    def fail(self, path: str, *, page: int = 0, statuses: list[int]) -> None:
        """Answer the next requests for ``page`` (0-based) of ``path`` with these statuses."""
        with self.lock:
            self.faults[(path, page)] = list(statuses)

    def list_paths(self) -> Iterator[str]:
        """Paths of every list document."""
        return (p for p, d in self.documents.items() if isinstance(d, dict) and "results" in d)

    def results(self, path: str) -> list[dict[str, Any]]:
        """The (mutable) ``results`` of a list document."""
        return list(self.documents[path]["results"])

    def set_results(self, path: str, results: list[dict[str, Any]]) -> None:
        """Replace the objects a list document holds."""
        with self.lock:
            doc = copy.deepcopy(self.documents[path])
            doc["results"] = results
            doc["result_count"] = len(results)
            self.documents[path] = doc

    def __enter__(self) -> Self:
        handler = _handler(self)
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
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
    def answer(
        self, method: str, path: str, params: dict[str, str], headers: Any, body: bytes
    ) -> tuple[int, dict[str, str], Any]:
        """Status, extra headers and JSON body for one request."""
        auth = self._authenticate(headers)
        with self.lock:
            self.requests.append(Request(method, path, params, auth or "none"))
        if method == "POST" and path == "/api/session/create":
            form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            if form.get("j_username") != self.user or form.get("j_password") != self.password:
                return 403, {}, _error(403, 403, "Username/Password combination is incorrect")
            session, xsrf = secrets.token_hex(16), secrets.token_hex(16)
            with self.lock:
                self.sessions[session] = xsrf
            return 200, {"Set-Cookie": f"JSESSIONID={session}; Path=/", "X-XSRF-TOKEN": xsrf}, None
        if auth is None:
            return 403, {}, _error(403, 403, "The credentials were incorrect or the account "
                                   "specified has been locked.")  # fmt: skip
        if method == "POST" and path == "/api/session/destroy":
            return 200, {}, None
        if method != "GET":
            return 405, {}, _error(405, 405, "method not allowed")
        doc = self.documents.get(path)
        if doc is None:
            return 404, {}, _error(404, 600, f"The requested URI: {path} could not be found.")
        if not (isinstance(doc, dict) and "results" in doc):
            return 200, {}, doc
        return self._page(path, doc, params)

    def _page(
        self, path: str, doc: dict[str, Any], params: dict[str, str]
    ) -> tuple[int, dict[str, str], Any]:
        size = min(int(params.get("page_size", 1000)), self.max_page_size)
        offset = (
            int(base64.urlsafe_b64decode(params["cursor"]).decode()) if "cursor" in params else 0
        )
        page = offset // size if size else 0
        with self.lock:
            queue = self.faults.get((path, page))
            status = queue.pop(0) if queue else None
        if status is not None:
            return status, {}, _error(status, 99, "General error has occurred.")
        results = doc["results"][offset : offset + size]
        body: dict[str, Any] = {
            key: value for key, value in doc.items() if key not in ("results", "result_count")
        }
        if offset == 0:
            body["result_count"] = len(doc["results"])
        body["results"] = results
        if offset + size < len(doc["results"]):
            body["cursor"] = base64.urlsafe_b64encode(str(offset + size).encode()).decode()
        return 200, {}, body

    def _authenticate(self, headers: Any) -> str | None:
        basic = headers.get("Authorization", "")
        if basic.startswith("Basic "):
            expected = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            return "basic" if basic[6:] == expected else None
        cookie = headers.get("Cookie", "")
        for part in cookie.split(";"):
            name, _, value = part.strip().partition("=")
            if name == "JSESSIONID" and self.sessions.get(value) == headers.get("X-XSRF-TOKEN"):
                return "session"
        return None


def _handler(replay: NsxReplay) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _serve(self, method: str) -> None:
            parts = urlsplit(self.path)
            params = {k: v[0] for k, v in parse_qs(parts.query).items()}
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            status, headers, payload = replay.answer(method, parts.path, params, self.headers, body)
            data = b"" if payload is None else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

    return Handler
