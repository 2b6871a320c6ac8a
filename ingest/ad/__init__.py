"""The Active Directory collector (ldap3): domains, users, groups, computers, foreign security
principals and direct memberships, streamed from paged searches. Knows nothing of Neo4j.
Entry point: :func:`open_ad` with :class:`ADOptions`."""

from ingest.ad.collect import collect_domain
from ingest.ad.connection import ADConnectionError, ADTarget, connect
from ingest.ad.source import ADCollector, ADOptions, open_ad

__all__ = [
    "ADCollector",
    "ADConnectionError",
    "ADOptions",
    "ADTarget",
    "collect_domain",
    "connect",
    "open_ad",
]
