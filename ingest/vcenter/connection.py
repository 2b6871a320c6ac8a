"""Connecting to a vCenter: TLS verification on by default, one clear line per failure."""

from __future__ import annotations

import logging
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import vim

from app.records.contract import SourceError
from ingest.tls import client_context

log = logging.getLogger(__name__)


class VCenterConnectionError(SourceError):
    """The vCenter could not be reached, refused the credentials or failed TLS verification."""


@dataclass(frozen=True)
class VCenterTarget:
    """Where and how to connect. ``password`` is never shown in ``repr``."""

    server: str
    user: str
    password: str = field(repr=False)
    port: int = 443
    ca_file: Path | None = None
    insecure: bool = False

    @classmethod
    def parse(
        cls,
        server: str,
        user: str,
        password: str,
        *,
        ca_file: Path | None = None,
        insecure: bool = False,
    ) -> VCenterTarget:
        """Build a target from ``HOST[:PORT]``."""
        host, _, port = server.rpartition(":") if server.count(":") == 1 else (server, "", "")
        if not host:
            host, port = server, ""
        try:
            number = int(port) if port else 443
        except ValueError:
            raise VCenterConnectionError(f"bad port in --server {server!r}") from None
        return cls(host, user, password, number, ca_file, insecure)

    def ssl_context(self) -> ssl.SSLContext:
        """The TLS context for every client of this vCenter (see :mod:`ingest.tls`)."""
        return client_context(self.server, self.ca_file, self.insecure)


def connect(target: VCenterTarget, timeout: float = 60.0) -> Any:
    """Log in and return the ``ServiceInstance``; raise :class:`VCenterConnectionError`."""
    where = f"{target.server}:{target.port}"
    context = target.ssl_context()  # a bad --ca-file is its own error, before any connection
    try:
        return SmartConnect(
            host=target.server,
            port=target.port,
            user=target.user,
            pwd=target.password,
            sslContext=context,
            connectionPoolTimeout=timeout,
        )
    except vim.fault.InvalidLogin:
        raise VCenterConnectionError(
            f"vCenter {where} rejected the credentials of user {target.user!r}"
        ) from None
    except ssl.SSLError as exc:
        reason = getattr(exc, "verify_message", None) or exc.reason or str(exc)
        raise VCenterConnectionError(
            f"TLS verification of vCenter {where} failed ({reason}): pass --ca-file with its CA "
            "certificate, or --insecure to skip verification"
        ) from None
    except (TimeoutError, OSError) as exc:
        raise VCenterConnectionError(f"cannot reach vCenter {where}: {exc}") from None
    except vim.fault.VimFault as exc:
        raise VCenterConnectionError(
            f"vCenter {where} refused the login: {getattr(exc, 'msg', exc)}"
        ) from None


def disconnect(service_instance: Any) -> None:
    """Log out (errors ignored: the session is being discarded)."""
    try:
        Disconnect(service_instance)
    except Exception as exc:
        log.debug("logout failed: %s", exc)
