"""An NSX manager over HTTPS with httpx: basic auth or a session, cursor paging, retries.

TLS verification is on by default (system CAs or ``ca_file``, see :mod:`ingest.tls`);
``insecure`` turns it off and says so in a warning. Only transient failures are retried
(connection errors, timeouts, HTTP 429/502/503/504), with tenacity; any other failure is an
:class:`NsxApiError` phrased for a person, never holding the password or the session token.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from tenacity import (
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from app.records.contract import SourceError
from ingest.retry import TRANSIENT_STATUS
from ingest.tls import client_context

log = logging.getLogger(__name__)

POLICY = "/policy/api/v1"
TIMEOUT_S = 60.0
XSRF_HEADER = "X-XSRF-TOKEN"


class NsxConnectionError(SourceError):
    """The manager could not be reached, refused the credentials or failed TLS verification."""


class NsxApiError(RuntimeError):
    """A call failed (already phrased for a gap; no secrets in it)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class _Transient(Exception):
    """A retryable answer (HTTP 429/502/503/504)."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


@dataclass(frozen=True)
class NsxTarget:
    """Where and how to connect. ``password`` is never shown in ``repr``."""

    url: str
    user: str
    password: str = field(repr=False)
    ca_file: Path | None = None
    insecure: bool = False
    session: bool = False
    page_size: int = 1000
    retries: int = 4
    retry_wait: float = 1.0

    @property
    def base(self) -> str:
        """``https://host[:port]`` without a trailing slash."""
        return self.url.rstrip("/")

    @property
    def host(self) -> str:
        """``host[:port]`` (the port only when it is not 443)."""
        parts = urlsplit(self.url)
        host = parts.hostname or self.url
        return host if parts.port in (None, 443) else f"{host}:{parts.port}"


def check_url(url: str) -> str:
    """``url`` if it is ``https://HOST[:PORT]``; raise :class:`NsxConnectionError` otherwise."""
    parts = urlsplit(url)
    if parts.scheme == "http":
        raise NsxConnectionError(
            "refusing to send credentials over plain HTTP: use https://HOST[:PORT] for --url"
        )
    if parts.scheme != "https" or not parts.hostname or parts.path.strip("/"):
        raise NsxConnectionError(f"--url must be https://HOST[:PORT], got {url!r}")
    try:
        _ = parts.port
    except ValueError:
        raise NsxConnectionError(f"bad port in --url {url!r}") from None
    return url


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, _Transient):
        return True
    if isinstance(exc, httpx.TransportError):
        return "CERTIFICATE_VERIFY_FAILED" not in str(exc) and "SSL" not in str(exc)
    return False


class NsxClient:
    """A logged-in NSX Policy API client; use as a context manager."""

    def __init__(self, target: NsxTarget, client: httpx.Client | None = None) -> None:
        self.target = target
        self.where = f"NSX manager {target.host}"
        self._own = client is None
        self.http = client or httpx.Client(
            verify=client_context(target.host, target.ca_file, target.insecure), timeout=TIMEOUT_S
        )
        self._xsrf: str | None = None
        self._session = False

    # -- session ---------------------------------------------------------------------------
    def login(self) -> dict[str, Any]:
        """Check the credentials (and open a session if asked); return ``GET /infra``.

        Raises :class:`NsxConnectionError` with one clear line on any failure."""
        try:
            if self.target.session:
                response = self._send(
                    "POST",
                    "/api/session/create",
                    data={"j_username": self.target.user, "j_password": self.target.password},
                    auth=False,
                )
                self._refused(response, "/api/session/create")
                if not response.is_success:
                    raise NsxConnectionError(
                        f"{self.where} refused a session (HTTP {response.status_code})"
                    )
                self._xsrf = response.headers.get(XSRF_HEADER)
                self._session = True
            infra = self.get(f"{POLICY}/infra")
        except NsxApiError as exc:
            raise NsxConnectionError(self.scrub(str(exc))) from None
        if not isinstance(infra, dict):
            raise NsxConnectionError(f"{self.where} answered GET /infra with no Infra object")
        return infra

    def close(self) -> None:
        """Destroy the session (errors ignored) and close the HTTP client if it is ours."""
        try:
            if self._session:
                self._send("POST", "/api/session/destroy", auth=False)
        except NsxApiError as exc:
            log.debug("NSX logout failed: %s", exc)
        finally:
            self._session = False
            if self._own:
                self.http.close()

    def __enter__(self) -> NsxClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- calls -----------------------------------------------------------------------------
    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """``GET`` a JSON document; :class:`NsxApiError` on any failure (404 included)."""
        response = self._send("GET", path, params=params)
        self._refused(response, path)
        if not response.is_success:
            raise NsxApiError(
                f"{self.where} answered HTTP {response.status_code} to GET {path}"
                + _error_text(response),
                response.status_code,
            )
        try:
            return response.json()
        except ValueError:
            raise NsxApiError(f"{self.where} answered non-JSON to GET {path}") from None

    def pages(self, path: str) -> Iterator[list[dict[str, Any]]]:
        """Every page of a list API (``results`` / ``cursor``), following the cursor until the
        manager returns none. A failure on a later page raises after the earlier pages were
        yielded, so the caller keeps what it got and records the gap."""
        cursor: str | None = None
        seen: set[str] = set()
        page = 0
        while True:
            params: dict[str, Any] = {"page_size": self.target.page_size}
            if cursor:
                params["cursor"] = cursor
            try:
                data = self.get(path, params)
            except NsxApiError as exc:
                if page:
                    raise NsxApiError(f"{exc} (page {page + 1})", exc.status) from None
                raise
            if not isinstance(data, dict) or not isinstance(data.get("results"), list):
                raise NsxApiError(f"{self.where} answered GET {path} without a results list")
            yield [item for item in data["results"] if isinstance(item, dict)]
            page += 1
            cursor = data.get("cursor") or None
            if cursor is None:
                return
            if cursor in seen:
                raise NsxApiError(f"{self.where} repeated a paging cursor on GET {path}")
            seen.add(cursor)

    def items(self, path: str) -> Iterator[dict[str, Any]]:
        """Every object of a list API, page after page."""
        for page in self.pages(path):
            yield from page

    def scrub(self, text: str) -> str:
        """``text`` without the password or session token, on one line."""
        for secret in (self.target.password, self._xsrf):
            if secret:
                text = text.replace(secret, "***")
        return " ".join(text.split())

    def _refused(self, response: httpx.Response, path: str) -> None:
        if response.status_code in (httpx.codes.UNAUTHORIZED, httpx.codes.FORBIDDEN):
            raise NsxApiError(
                f"{self.where} refused {path} for user {self.target.user!r} "
                f"(HTTP {response.status_code})",
                response.status_code,
            )

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        data: dict[str, str] | None = None,
        auth: bool = True,
    ) -> httpx.Response:
        headers = {"Accept": "application/json"}
        if self._xsrf:
            headers[XSRF_HEADER] = self._xsrf
        basic = (self.target.user, self.target.password) if auth and not self._session else None

        def once() -> httpx.Response:
            response = self.http.request(
                method, self.target.base + path, params=params, data=data, headers=headers,
                auth=basic,
            )  # fmt: skip
            if response.status_code in TRANSIENT_STATUS:
                raise _Transient(response)
            return response

        retrying = Retrying(
            retry=retry_if_exception(_transient),
            stop=stop_after_attempt(max(1, self.target.retries)),
            wait=wait_exponential(multiplier=self.target.retry_wait, max=30),
            reraise=True,
            before_sleep=lambda state: log.info(
                "%s: %s %s failed (%s), retrying", self.where, method, path, state.outcome
            ),
        )
        try:
            return retrying(once)
        except _Transient as exc:
            return exc.response
        except httpx.HTTPError as exc:
            text = self.scrub(str(exc) or type(exc).__name__)
            if "CERTIFICATE_VERIFY_FAILED" in text:
                raise NsxApiError(
                    f"TLS verification of {self.where} failed ({text}): pass --ca-file with its "
                    "CA certificate, or --insecure to skip verification"
                ) from None
            if "SSL" in text:
                raise NsxApiError(f"TLS handshake with {self.where} failed: {text}") from None
            raise NsxApiError(f"cannot reach {self.where}: {text}") from None


def _error_text(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return ""
    if isinstance(data, dict) and data.get("error_message"):
        return f": {' '.join(str(data['error_message']).split())[:200]}"
    return ""
