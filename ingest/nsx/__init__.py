"""The NSX collector (Policy API, NSX-T 3.x and NSX 4.x): a live walk over httpx with cursor
paging, or hierarchical ``GET /infra`` exports read from files. Knows nothing of Neo4j.
Entry point: :func:`open_nsx` with :class:`NsxOptions`."""

from ingest.nsx.client import NsxApiError, NsxClient, NsxConnectionError, NsxTarget, check_url
from ingest.nsx.collect import collect_nsx
from ingest.nsx.export import NsxExportError, collect_export
from ingest.nsx.parse import source_id
from ingest.nsx.source import NsxCollector, NsxExportCollector, NsxOptions, open_nsx

__all__ = [
    "NsxApiError",
    "NsxClient",
    "NsxCollector",
    "NsxConnectionError",
    "NsxExportCollector",
    "NsxExportError",
    "NsxOptions",
    "NsxTarget",
    "check_url",
    "collect_export",
    "collect_nsx",
    "open_nsx",
    "source_id",
]
