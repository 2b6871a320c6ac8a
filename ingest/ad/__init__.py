"""The Active Directory collector (ldap3): domains, users, groups, computers, foreign security
principals and direct memberships, streamed from paged searches. Knows nothing of Neo4j."""

from ingest.ad.collect import collect_domain
from ingest.ad.connection import ADConnectionError, ADTarget, connect

__all__ = ["ADConnectionError", "ADTarget", "collect_domain", "connect"]
