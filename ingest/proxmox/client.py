"""A Proxmox VE API server reached with httpx: an API token, or a user and password.

Requests go to ``https://HOST:8006/api2/json``. An API token is sent as PVE expects it
(``Authorization: PVEAPIToken=USER@REALM!NAME=SECRET``); a password logs in once through
``POST /access/ticket`` and the ticket cookie is used from then on (reads need no CSRF token).
TLS is verified through :mod:`ingest.tls` unless ``insecure`` is set. httpx rather than
proxmoxer: the reader needs the HTTP status of each failure (401, 403, 404) to tell a refused
login from a gap, and the one TLS policy every source shares. No secret is ever part of a
message: each one passes through :meth:`PveClient.scrub`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from app.records.contract import SourceError
from ingest.retry import ATTEMPTS, RETRY_WAIT_S, TRANSIENT_STATUS
from ingest.tls import client_context

PVE_PORT = 8006
TIMEOUT_S = 30.0


class PveConnectionError(SourceError):
    """The server cannot be used at all: unreachable, TLS failure, credentials refused, or
    forbidden to read the cluster's identity. One line, no secret."""


class PveApiError(RuntimeError):
    """One request failed (phrased for a gap; no secret in it)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class ProxmoxOptions:
    """Which cluster to read and how to log in (a token, or a user and password)."""

    server: str
    """``https://HOST[:PORT]`` or ``HOST[:PORT]`` (port 8006 by default)."""
    token_id: str | None = None
    """``USER@REALM!NAME``."""
    token_secret: str = field(default="", repr=False)
    user: str | None = None
    password: str = field(default="", repr=False)
    ca_file: Path | None = None
    insecure: bool = False
    timeout: float = TIMEOUT_S

    def base_url(self) -> str:
        """``https://HOST:PORT`` (the scheme and port filled in)."""
        text = self.server if "://" in self.server else f"https://{self.server}"
        parts = urlsplit(text)
        if parts.scheme != "https" or not parts.hostname:
            raise PveConnectionError(f"--server {self.server!r}: expected https://HOST[:PORT]")
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        return f"https://{host}:{parts.port or PVE_PORT}"


class PveClient:
    """An authenticated connection (a password login happens on the first request)."""

    def __init__(self, options: ProxmoxOptions) -> None:
        if bool(options.token_id) == bool(options.user):
            raise PveConnectionError("give either --token-id or --user (exactly one)")
        if options.token_id and "!" not in options.token_id:
            raise PveConnectionError(f"--token-id {options.token_id!r}: expected USER@REALM!NAME")
        self.options = options
        self.base = options.base_url()
        self.where = self.base
        context = client_context(self.base, options.ca_file, options.insecure)
        headers = {}
        if options.token_id:
            headers["Authorization"] = f"PVEAPIToken={options.token_id}={options.token_secret}"
        self._http = httpx.Client(
            base_url=f"{self.base}/api2/json",
            verify=context,
            headers=headers,
            timeout=options.timeout,
        )
        self._logged_in = bool(options.token_id)

    def scrub(self, text: str) -> str:
        """``text`` with every secret of the options replaced by ``***``."""
        for secret in (self.options.token_secret, self.options.password):
            if secret:
                text = text.replace(secret, "***")
        return " ".join(text.split())

    def _login(self) -> None:
        form = {"username": self.options.user or "", "password": self.options.password}
        answer = self._send("POST", "/access/ticket", data=form)
        if answer.status_code in (401, 403):
            raise PveConnectionError(f"{self.where} refused the user and password (HTTP 401)")
        if answer.status_code != 200:
            raise PveConnectionError(f"{self.where}: login failed (HTTP {answer.status_code})")
        self._logged_in = True

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        for attempt in range(ATTEMPTS):
            try:
                answer = self._http.request(method, path, **kwargs)
            except httpx.TransportError as exc:
                if attempt + 1 < ATTEMPTS and isinstance(exc, httpx.TimeoutException):
                    time.sleep(RETRY_WAIT_S)
                    continue
                reason = self.scrub(str(exc) or type(exc).__name__)
                raise PveConnectionError(f"cannot reach {self.where}: {reason}") from None
            if answer.status_code in TRANSIENT_STATUS and attempt + 1 < ATTEMPTS:
                time.sleep(RETRY_WAIT_S)
                continue
            return answer
        raise AssertionError("unreachable")

    def get(self, path: str) -> Any:
        """The ``data`` of ``GET path``; :class:`PveApiError` with the status on failure."""
        if not self._logged_in:
            self._login()
        answer = self._send("GET", path)
        if answer.status_code != 200:
            try:
                message = str(answer.json().get("message") or "").strip()
            except ValueError:
                message = ""
            detail = f": {self.scrub(message)}" if message else ""
            raise PveApiError(f"GET {path}: HTTP {answer.status_code}{detail}", answer.status_code)
        try:
            return answer.json()["data"]
        except (ValueError, KeyError) as exc:
            raise PveApiError(f"GET {path}: not a PVE API answer ({type(exc).__name__})") from exc

    def close(self) -> None:
        """Close the connection (safe to call twice)."""
        self._http.close()
