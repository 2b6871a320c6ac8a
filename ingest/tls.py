"""TLS for every source client: one way to trust a server, one way to opt out, one set of errors.

Every client that talks to a source over TLS (pyVmomi and httpx for vCenter, httpx for NSX,
ldap3 for AD, and the target readers to come) gets its verification settings here:

* :func:`client_context` -- an ``ssl.SSLContext`` verifying against the system CAs, or against
  ``--ca-file`` after :func:`check_ca_file` accepted it; with ``insecure`` an unverified one,
  logged once per call as ``WARNING ... TLS verification of HOST is OFF (--insecure)``;
* :func:`check_ca_file` -- a missing, unreadable or non-PEM CA file is a :class:`TlsError`
  naming the file (one line), never a "cannot reach" error later on;
* :func:`warn_insecure` -- the warning alone, for clients that build their own TLS settings
  (ldap3's ``Tls``).
"""

from __future__ import annotations

import logging
import ssl
from pathlib import Path

from app.records.contract import SourceError

log = logging.getLogger(__name__)

PEM_CERTIFICATE = b"-----BEGIN CERTIFICATE-----"


class TlsError(SourceError):
    """The TLS settings cannot be used (e.g. the CA file is missing or holds no certificate)."""


def warn_insecure(where: str) -> None:
    """Log that TLS verification of ``where`` is off."""
    log.warning("TLS verification of %s is OFF (--insecure)", where)


def check_ca_file(ca_file: Path) -> Path:
    """``ca_file`` if it is a readable file holding at least one PEM certificate; a
    :class:`TlsError` naming it otherwise."""
    if not ca_file.exists():
        raise TlsError(f"--ca-file {ca_file} does not exist")
    if not ca_file.is_file():
        raise TlsError(f"--ca-file {ca_file} is not a readable file")
    try:
        data = ca_file.read_bytes()
    except OSError as exc:
        raise TlsError(f"--ca-file {ca_file} is not a readable file ({exc.strerror})") from None
    if PEM_CERTIFICATE not in data:
        raise TlsError(
            f"--ca-file {ca_file} holds no PEM certificate (expected {PEM_CERTIFICATE.decode()} "
            "blocks)"
        )
    return ca_file


def client_context(
    where: str, ca_file: Path | None = None, insecure: bool = False
) -> ssl.SSLContext:
    """A context verifying ``where`` against the system CAs or ``ca_file``; with ``insecure``
    an unverified one (and the warning). Raises :class:`TlsError` for an unusable CA file."""
    if insecure:
        warn_insecure(where)
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    if ca_file is None:
        return ssl.create_default_context()
    check_ca_file(ca_file)
    try:
        return ssl.create_default_context(cafile=str(ca_file))
    except (OSError, ssl.SSLError) as exc:
        reason = getattr(exc, "reason", None) or exc.strerror or str(exc)
        raise TlsError(f"--ca-file {ca_file} is not a usable CA file ({reason})") from None
