"""Binding to a domain controller: LDAPS or StartTLS with certificate verification by default,
simple bind by DN, UPN or ``DOMAIN\\name``; one clear line per failure."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from ldap3 import DSA, SIMPLE, Connection, Server, Tls
from ldap3.core.exceptions import (
    LDAPException,
    LDAPSocketOpenError,
    LDAPStartTLSError,
)

from app.records.contract import SourceError
from ingest.tls import check_ca_file, warn_insecure


class ADConnectionError(SourceError):
    """The directory could not be reached, refused the bind or failed TLS verification."""


@dataclass(frozen=True)
class ADTarget:
    """Where and how to bind. ``password`` never appears in ``repr``."""

    url: str
    user: str
    password: str = field(repr=False)
    starttls: bool = False
    ca_file: Path | None = None
    insecure: bool = False
    timeout: float = 30.0

    @property
    def where(self) -> str:
        """``host:port`` for messages."""
        parts = urlsplit(self.url)
        port = parts.port or (636 if parts.scheme == "ldaps" else 389)
        return f"{parts.hostname}:{port}"


def _server(target: ADTarget) -> Server:
    parts = urlsplit(target.url)
    if parts.scheme not in ("ldap", "ldaps") or not parts.hostname:
        raise ADConnectionError(
            f"--server must be ldaps://HOST[:PORT] or ldap://HOST[:PORT], got {target.url!r}"
        )
    if parts.scheme == "ldap" and not target.starttls:
        raise ADConnectionError(
            "refusing to send a password over plain LDAP: use ldaps:// or add --starttls"
        )
    if target.insecure:
        warn_insecure(target.where)
        tls = Tls(validate=ssl.CERT_NONE)
    else:
        if target.ca_file is not None:
            check_ca_file(target.ca_file)
        tls = Tls(
            validate=ssl.CERT_REQUIRED,
            ca_certs_file=str(target.ca_file) if target.ca_file else None,
        )
    return Server(
        parts.hostname,
        port=parts.port,
        use_ssl=parts.scheme == "ldaps",
        tls=tls,
        get_info=DSA,
        connect_timeout=target.timeout,
    )


def connect(target: ADTarget) -> Connection:
    """Open, secure and bind one connection; raise :class:`ADConnectionError` on failure."""
    server = _server(target)
    conn = Connection(
        server,
        user=target.user,
        password=target.password,
        authentication=SIMPLE,
        auto_bind=False,
        raise_exceptions=False,
        auto_range=False,
        return_empty_attributes=False,
        receive_timeout=int(target.timeout),
        read_only=True,
    )
    try:
        conn.open()
        if target.starttls and not server.ssl and not conn.start_tls():
            raise ADConnectionError(f"StartTLS with {target.where} failed: {conn.result}")
        if not conn.bind():
            description = (conn.result or {}).get("description", "bind refused")
            if description == "invalidCredentials":
                raise ADConnectionError(
                    f"AD server {target.where} rejected the credentials of user {target.user!r}"
                )
            raise ADConnectionError(f"AD server {target.where} refused the bind: {description}")
    except (LDAPStartTLSError, ssl.SSLError) as exc:
        raise ADConnectionError(
            f"TLS verification of AD server {target.where} failed ({_reason(exc)}): pass "
            "--ca-file with its CA certificate, or --insecure to skip verification"
        ) from None
    except LDAPSocketOpenError as exc:
        if "certificate" in str(exc).lower() or "ssl" in str(exc).lower():
            raise ADConnectionError(
                f"TLS verification of AD server {target.where} failed ({_reason(exc)}): pass "
                "--ca-file with its CA certificate, or --insecure to skip verification"
            ) from None
        raise ADConnectionError(f"cannot reach AD server {target.where}: {_reason(exc)}") from None
    except LDAPException as exc:
        raise ADConnectionError(f"AD server {target.where}: {_reason(exc)}") from None
    return conn


def _reason(exc: BaseException) -> str:
    text = str(exc)
    return text.split(" - ")[-1] if " - " in text else text or type(exc).__name__
