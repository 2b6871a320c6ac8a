"""The NSX source: :func:`open_nsx` reads :class:`NsxOptions` and returns either a live
collector (a logged-in Policy API client, :class:`NsxCollector`) or, with ``from_files``, a
reader of hierarchical exports (:class:`NsxExportCollector`). Both name the same source: the
manager of ``url``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from app.records.contract import CollectorBase, GapSink, Sink, SourceIdentity
from ingest.nsx.client import NsxClient, NsxConnectionError, NsxTarget, check_url
from ingest.nsx.collect import collect_nsx
from ingest.nsx.export import collect_export
from ingest.nsx.parse import source_id


@dataclass(frozen=True)
class NsxOptions:
    """Which manager, and how to read it. ``password`` never appears in ``repr``."""

    url: str
    """``https://HOST[:PORT]``; with ``from_files`` it names the manager the export came from."""
    user: str | None = None
    """Needed for a live collection."""
    password: str = field(default="", repr=False)
    ca_file: Path | None = None
    insecure: bool = False
    session: bool = False
    """Log in once (session cookie + XSRF token) instead of basic auth."""
    page_size: int = 1000
    from_files: tuple[Path, ...] = ()
    """Hierarchical ``GET /policy/api/v1/infra`` exports to read instead of the manager."""


def _identity(target: NsxTarget) -> SourceIdentity:
    return SourceIdentity(kind="nsx", id=source_id(target.host), name=target.host)


class NsxCollector(CollectorBase):
    """A live walk of a logged-in manager's Policy API."""

    def __init__(self, client: NsxClient) -> None:
        self.client = client
        self._identity = _identity(client.target)

    @property
    def identity(self) -> SourceIdentity:
        """``nsx`` / ``nsx:<host>...``."""
        return self._identity

    @property
    def where(self) -> str:
        """``NSX manager <host>``."""
        return self.client.where

    def collect(self, sink: Sink, gap: GapSink) -> None:
        """The whole walk (:func:`~ingest.nsx.collect.collect_nsx`)."""
        collect_nsx(self.client, self._identity.id, sink, gap)

    def close(self) -> None:
        """Log out and close the HTTP client."""
        self.client.close()


class NsxExportCollector(CollectorBase):
    """Hierarchical exports read from files (configuration only: the run is partial)."""

    def __init__(self, target: NsxTarget, paths: tuple[Path, ...]) -> None:
        self.paths = list(paths)
        self._identity = _identity(target)

    @property
    def identity(self) -> SourceIdentity:
        """The manager the exports came from."""
        return self._identity

    @property
    def where(self) -> str:
        """The files."""
        return ", ".join(str(p) for p in self.paths)

    def collect(self, sink: Sink, gap: GapSink) -> None:
        """Every export (a file that is not one raises ``NsxExportError``)."""
        collect_export(self.paths, self._identity.id, sink, gap)


def open_nsx(options: NsxOptions) -> NsxCollector | NsxExportCollector:
    """The export reader when ``from_files`` is given, else a logged-in live collector;
    raise :class:`NsxConnectionError` (a ``SourceError``) or :class:`~ingest.tls.TlsError`
    with one clear line."""
    check_url(options.url)
    if options.from_files:
        for path in options.from_files:
            if not path.is_file():
                raise NsxConnectionError(f"--from-file {path} is not a readable file")
        return NsxExportCollector(
            NsxTarget(options.url, options.user or "", ""), options.from_files
        )
    if not options.user:
        raise NsxConnectionError(
            "--user is required to collect from a live NSX manager (or give --from-file)"
        )
    target = NsxTarget(
        options.url,
        options.user,
        options.password,
        ca_file=options.ca_file,
        insecure=options.insecure,
        session=options.session,
        page_size=options.page_size,
    )
    client = NsxClient(target)
    try:
        client.login()
    except BaseException:
        client.close()
        raise
    return NsxCollector(client)
