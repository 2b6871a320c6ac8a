"""The Active Directory source: :func:`open_ad` binds to one domain controller per domain of
one forest (:class:`ADOptions`), checks the forest rules and returns an :class:`ADCollector`.

The rules: two servers of the same domain are refused (one DC per domain), and servers of
different forests are refused (one forest per snapshot). The source identity is the forest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ldap3 import Connection

from app.records.contract import CollectorBase, GapSink, Sink, SourceError, SourceIdentity
from ingest.ad.collect import RANGE_STEP, DomainInfo, collect_domain, domain_info
from ingest.ad.connection import ADConnectionError, ADTarget, connect


@dataclass(frozen=True)
class ADOptions:
    """Where and how to bind. ``password`` never appears in ``repr``."""

    servers: tuple[str, ...]
    """``ldaps://HOST[:PORT]`` (or ``ldap://`` with ``starttls``), one per domain."""
    user: str
    password: str = field(repr=False)
    ca_file: Path | None = None
    insecure: bool = False
    starttls: bool = False
    base_dn: str | None = None
    """Search base (one server only; default: the whole domain)."""
    range_step: int = RANGE_STEP


def forest_of(domains: list[DomainInfo]) -> str:
    """The one forest of ``domains``; :class:`ADConnectionError` if two are the same domain
    or they span forests."""
    if len({domain.sid for domain in domains}) != len(domains):
        raise ADConnectionError(
            "two --server values serve the same domain: give one domain controller per domain"
        )
    forests = {domain.forest_dns for domain in domains}
    if len(forests) != 1:
        raise ADConnectionError(
            f"the servers belong to different forests ({', '.join(sorted(forests))}): "
            "collect each forest into its own snapshot"
        )
    return forests.pop()


class ADCollector(CollectorBase):
    """Bound connections to the domain controllers of one forest (see :func:`open_ad`)."""

    def __init__(
        self, options: ADOptions, targets: list[ADTarget], connections: list[Connection]
    ) -> None:
        self.options = options
        self.connections = connections
        self._where = ", ".join(t.where for t in targets)
        forest = forest_of([domain_info(conn) for conn in connections])
        self._identity = SourceIdentity(kind="ad", id=f"forest:{forest}", name=forest)

    @property
    def identity(self) -> SourceIdentity:
        """``ad`` / ``forest:<dns name>``."""
        return self._identity

    @property
    def where(self) -> str:
        """The servers' ``host:port``."""
        return self._where

    def collect(self, sink: Sink, gap: GapSink) -> None:
        """Every domain, one after the other."""
        base_dn = self.options.base_dn if len(self.connections) == 1 else None
        for conn in self.connections:
            collect_domain(conn, sink, gap, range_step=self.options.range_step, base_dn=base_dn)

    def close(self) -> None:
        """Unbind every connection (once)."""
        while self.connections:
            self.connections.pop().unbind()


def open_ad(options: ADOptions) -> ADCollector:
    """Bind to every server and check the forest rules; raise :class:`ADConnectionError`
    (a ``SourceError``) or :class:`~ingest.tls.TlsError` with one clear line."""
    targets = [
        ADTarget(
            url,
            options.user,
            options.password,
            starttls=options.starttls,
            ca_file=options.ca_file,
            insecure=options.insecure,
        )
        for url in options.servers
    ]
    connections: list[Connection] = []
    try:
        for target in targets:
            connections.append(connect(target))
        return ADCollector(options, targets, connections)
    except RuntimeError as exc:  # domain_info: a rootDSE or domain object missing
        for conn in connections:
            conn.unbind()
        if isinstance(exc, SourceError):
            raise
        raise ADConnectionError(str(exc)) from None
    except BaseException:
        for conn in connections:
            conn.unbind()
        raise
