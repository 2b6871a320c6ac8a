"""SharpHound CE / BloodHound CE collector JSON as an Active Directory source: users, groups,
computers and domains (``meta.version`` 5 and 6, a ``.zip`` or a directory of ``.json``) into
the same records the LDAP collector produces. Knows nothing of Neo4j.
Entry point: :func:`open_sharphound` with :class:`SharpHoundOptions`."""

from ingest.sharphound.files import CollectionFile, SharpHoundError, read_collection
from ingest.sharphound.source import SharpHoundCollector, SharpHoundOptions, open_sharphound

__all__ = [
    "CollectionFile",
    "SharpHoundCollector",
    "SharpHoundError",
    "SharpHoundOptions",
    "open_sharphound",
    "read_collection",
]
