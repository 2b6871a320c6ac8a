"""Run named Cypher files against Neo4j: managed transactions, batching, retries, the schema.

Every statement comes from ``cypher/`` through :class:`CypherLibrary`; callers pass only a
statement name and parameters. Reads go through ``execute_read`` (READ routing on clusters),
writes through ``execute_write``; both are retried by the driver on transient errors and lost
connections for up to ``retry_seconds``, so every statement here must be safe to repeat.
An *interactive* graph (the API's) does not retry and waits at most
``api_neo4j_timeout_seconds`` to connect: a request fails fast with :class:`GraphUnavailable`.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from neo4j import (
    READ_ACCESS,
    Driver,
    GraphDatabase,
    ManagedTransaction,
    NotificationMinimumSeverity,
    Query,
    Session,
    unit_of_work,
)
from neo4j.exceptions import (
    AuthError,
    ClientError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)
from neo4j.graph import Node, Relationship
from tenacity import Retrying, retry_if_exception_type, stop_after_delay, wait_exponential

from app.config import Settings
from app.graph.codegen import FULLTEXT_INDEX, NAME_PROPERTIES, fulltext_labels
from app.graph.cypher_files import CypherLibrary

log = logging.getLogger(__name__)

Row = Mapping[str, Any]


class GraphError(RuntimeError):
    """Neo4j could not be reached or refused a statement (message safe to show: no secrets)."""


class GraphUnavailable(GraphError):
    """Neo4j could not be reached (down, restarting, no free connection in time). The message
    names the server: the API shows callers a generic text instead."""


@dataclass
class WriteStats:
    """What a batched write did: rows sent, batches, transaction attempts, summed counters."""

    rows: int = 0
    batches: int = 0
    attempts: int = 0
    totals: dict[str, int] = field(default_factory=dict)
    samples: dict[str, list[Any]] = field(default_factory=dict)

    def add(self, record: Mapping[str, Any]) -> None:
        """Fold one result row into the totals (numbers summed, lists kept as samples)."""
        for key, value in record.items():
            if isinstance(value, bool):
                continue
            if isinstance(value, int):
                self.totals[key] = self.totals.get(key, 0) + value
            elif isinstance(value, list):
                kept = self.samples.setdefault(key, [])
                kept.extend(value[: max(0, 20 - len(kept))])


def connection_target(settings: Settings) -> tuple[str, str, str]:
    """``(uri, user, password)``: the configured server, else the managed local one."""
    if settings.neo4j_uri:
        password = settings.neo4j_password.get_secret_value() if settings.neo4j_password else ""
        return settings.neo4j_uri, settings.neo4j_user, password
    from app.localneo4j import LocalNeo4j, Neo4jServerError

    local = LocalNeo4j(settings.home, settings.cache)
    status = local.status()
    if not status.running or status.uri is None:
        raise GraphError(
            "No Neo4j is configured and the local one is not running: run `authmap neo4j start`, "
            "or set NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD."
        )
    try:
        return status.uri, "neo4j", local.password()
    except Neo4jServerError as exc:
        raise GraphError(str(exc)) from None


def batched(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    """Split rows into lists of at most ``size``."""
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


class Graph:
    """A connection to one Neo4j database and the Cypher library it runs."""

    def __init__(
        self, settings: Settings, library: CypherLibrary | None = None, *, interactive: bool = False
    ) -> None:
        self.settings = settings
        self.interactive = interactive
        self.library = library or CypherLibrary()
        self.uri, user, password = connection_target(settings)
        self.database = settings.neo4j_database
        self.attempts = 0
        wait = settings.api_neo4j_timeout_seconds if interactive else 30.0
        self._driver: Driver = GraphDatabase.driver(
            self.uri,
            auth=(user, password),
            max_transaction_retry_time=0 if interactive else settings.retry_seconds,
            connection_timeout=wait,
            connection_acquisition_timeout=wait if interactive else 60.0,
            user_agent="authmap",
            notifications_min_severity=NotificationMinimumSeverity.OFF,
        )

    def close(self) -> None:
        """Close the driver."""
        self._driver.close()

    def __enter__(self) -> Graph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except AuthError:
            raise GraphError(
                f"Neo4j at {self.uri} refused the credentials of user {self.settings.neo4j_user!r}"
            ) from None
        except (ServiceUnavailable, SessionExpired) as exc:
            raise GraphUnavailable(f"Neo4j at {self.uri} is not reachable: {exc}") from None
        except ClientError as exc:
            raise GraphError(f"Neo4j refused the statement: {exc.code}: {exc.message}") from None
        except Neo4jError as exc:
            raise GraphError(f"Neo4j error: {exc.code}: {exc.message}") from None

    @contextlib.contextmanager
    def read_only_session(self) -> Iterator[Session]:
        """A driver session in READ access mode, for the one caller that runs text it did not
        read from ``cypher/``: the API's read-only console (``app/service/console.py``),
        which checks each query's plan first. Driver errors are the caller's to map."""
        with self._driver.session(
            database=self.database, default_access_mode=READ_ACCESS
        ) as session:
            yield session

    def verify(self) -> None:
        """Check that the server answers with these credentials."""
        with self._errors():
            self._driver.verify_connectivity()

    def _work(
        self, text: str, params: Mapping[str, Any], timeout: float | None, *, raw: bool = False
    ) -> Callable[[ManagedTransaction], list[dict[str, Any]]]:
        def unit(tx: ManagedTransaction) -> list[dict[str, Any]]:
            self.attempts += 1
            result = tx.run(text, dict(params))
            if raw:  # plain values only: skip the driver's per-element conversion
                keys = result.keys()
                return [dict(zip(keys, record.values(), strict=True)) for record in result]
            return [record.data() for record in result]

        if timeout is not None:
            return unit_of_work(timeout=timeout)(unit)
        return unit

    def read(
        self,
        name: str,
        params: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
        raw: bool = False,
    ) -> list[dict[str, Any]]:
        """Run a read statement (READ routing) and return its rows as dicts.

        ``raw`` skips converting nodes, relationships and paths inside the values to dicts:
        much faster for large rows of plain lists and maps, wrong for graph elements.
        """
        text = self.library.statement(name)
        with self._errors(), self._driver.session(database=self.database) as session:
            return session.execute_read(self._work(text, params or {}, timeout, raw=raw))

    def read_statement(
        self, name: str, index: int, params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Run the ``index``-th statement of a multi-statement file as a read."""
        statements = self.library.statements(name)
        with self._errors(), self._driver.session(database=self.database) as session:
            return session.execute_read(self._work(statements[index], params or {}, None))

    def read_elements(
        self, name: str, index: int = 0, params: Mapping[str, Any] | None = None
    ) -> tuple[list[Node], list[Relationship]]:
        """Run the ``index``-th statement of a file as a read and return the distinct nodes and
        relationships in its rows (for statements that return graph elements, such as an
        audit's graph query)."""
        text = self.library.statements(name)[index]

        def unit(tx: ManagedTransaction) -> tuple[list[Node], list[Relationship]]:
            self.attempts += 1
            found = tx.run(text, dict(params or {})).graph()
            return list(found.nodes), list(found.relationships)

        with self._errors(), self._driver.session(database=self.database) as session:
            return session.execute_read(unit)

    def write(
        self,
        name: str,
        params: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
        check: Callable[[list[dict[str, Any]]], None] | None = None,
    ) -> list[dict[str, Any]]:
        """Run a write statement in one managed transaction and return its rows.

        ``check`` sees the rows inside the transaction: if it raises, the transaction is
        rolled back (nothing is written) and the exception propagates.
        """
        text = self.library.statement(name)
        work = self._work(text, params or {}, timeout)
        if check is not None:
            inner = work

            def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
                rows = inner(tx)
                check(rows)
                return rows

        with self._errors(), self._driver.session(database=self.database) as session:
            return session.execute_write(work)

    def write_rows(
        self,
        name: str,
        rows: Iterable[Row],
        params: Mapping[str, Any] | None = None,
        *,
        batch_size: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> WriteStats:
        """Send ``rows`` as ``$rows`` in batches (one managed transaction each)."""
        text = self.library.statement(name)
        size = batch_size or self.settings.batch_size
        stats = WriteStats()
        with self._errors(), self._driver.session(database=self.database) as session:
            for chunk in batched(rows, size):
                before = self.attempts
                result = session.execute_write(
                    self._work(text, {**(params or {}), "rows": chunk}, None)
                )
                stats.attempts += self.attempts - before
                stats.rows += len(chunk)
                stats.batches += 1
                for record in result:
                    stats.add(record)
                if progress:
                    progress(len(chunk))
        return stats

    def write_chunked(self, name: str, params: Mapping[str, Any], *, limit: int = 10_000) -> int:
        """Repeat a ``WITH ... LIMIT $limit`` delete until it removes nothing; return the total."""
        total = 0
        while True:
            rows = self.write(name, {**params, "limit": limit})
            deleted = int(rows[0]["deleted"]) if rows else 0
            total += deleted
            if deleted < limit:
                return total

    def write_in_transactions(self, name: str, params: Mapping[str, Any] | None = None) -> int:
        """Run a statement that commits as it goes (``CALL { ... } IN TRANSACTIONS``), for
        writes too large for one transaction. It must run in an auto-commit transaction, which
        the driver does not retry, so a transient error or a lost connection re-runs the whole
        statement (it must be safe to repeat) for up to ``retry_seconds``. Returns the first
        number of its single row (0 without one)."""
        text = self.library.statement(name)
        retrying = Retrying(
            retry=retry_if_exception_type((TransientError, ServiceUnavailable, SessionExpired)),
            stop=stop_after_delay(self.settings.retry_seconds),
            wait=wait_exponential(multiplier=0.5, max=5),
            before_sleep=lambda state: log.warning(
                "%s failed (%s), running it again", name, state.outcome
            ),
            reraise=True,
        )

        def once() -> int:
            self.attempts += 1
            with self._driver.session(database=self.database) as session:
                record = session.run(Query(text), dict(params or {})).single()
            return int(next(iter(record.values()), 0) or 0) if record else 0

        with self._errors():
            return retrying(once)

    def apply_schema(self) -> int:
        """Apply ``cypher/schema.cypher`` (idempotent: every statement uses IF NOT EXISTS).

        ``IF NOT EXISTS`` would keep a full-text index of names built for an older model, so
        one that covers other labels or properties than the model's is dropped first and
        recreated (and awaited: search answers only once it is online)."""
        statements = self.library.statements("schema")
        stale = self._names_index_stale()
        with self._errors(), self._driver.session(database=self.database) as session:
            if stale:
                log.warning(
                    "full-text index %s covers other node kinds: rebuilding it", FULLTEXT_INDEX
                )
                session.execute_write(
                    self._work(self.library.statement("admin/drop_names_index"), {}, None)
                )
            for text in statements:
                session.execute_write(self._work(text, {}, None))
            if stale:
                session.execute_write(
                    self._work(self.library.statement("admin/await_names_index"), {}, None)
                )
        return len(statements)

    def _names_index_stale(self) -> bool:
        """True when the full-text index of names exists but not over the model's kinds."""
        rows = self.read("admin/fulltext_index", {"name": FULLTEXT_INDEX})
        if not rows:
            return False
        return set(rows[0]["labels"]) != set(fulltext_labels()) or set(
            rows[0]["properties"]
        ) != set(NAME_PROPERTIES)
