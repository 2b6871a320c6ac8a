"""``POST /api/cypher``: a read-only Cypher console, the one place the API runs text a user
wrote. Three guards, each enough to stop a write on its own terms:

1. the query is first planned with ``EXPLAIN`` (nothing runs) and refused unless Neo4j says
   its query type is read-only (``r``; writes are ``w``/``rw``, schema and DBMS commands
   ``s``) and its plan holds none of the operators that read files or URLs (``LOAD CSV``),
   commit on their own (``CALL { } IN TRANSACTIONS``) or act on other sessions
   (``TERMINATE TRANSACTIONS``) or the system database;
2. it then runs in a READ access-mode session, in a managed read transaction, so the server
   itself rejects any write;
3. the transaction has a server-side timeout and at most ``row cap`` rows are returned.

Procedures and commands are allow-listed: only :data:`ALLOWED_PROCEDURES` may be called and only
the ``SHOW`` commands of :data:`ALLOWED_COMMANDS` run (no other callers' queries, parameters or
settings; no statistics or planner switches). A query that needs more memory than a transaction
may use, or more than the heap holds, fails on its own (400) and the server keeps running; the
transactions are never retried. At most ``api_console_concurrency`` queries run at once, and
``api_console_concurrency_per_token`` for one token (beyond: 429).

Several statements in one query are a syntax error for Neo4j, so they are refused too.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from neo4j import ResultSummary
from neo4j.exceptions import (
    ClientError,
    DatabaseError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)
from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.config import Settings
from app.graph import Graph
from app.service.auth import Viewer
from app.service.errors import error_responses
from app.service.limits import Slots
from app.service.values import jsonable

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api", tags=["console"])

REFUSED_OPERATORS = {
    "LoadCSV": "LOAD CSV reads files and URLs",
    "TransactionApply": "CALL { } IN TRANSACTIONS commits on its own",
    "TransactionForeach": "CALL { } IN TRANSACTIONS commits on its own",
    "TerminateTransactions": "TERMINATE TRANSACTIONS acts on other sessions",
    "AdministrationCommand": "administration commands are not allowed",
}
ALLOWED_PROCEDURES = frozenset(
    {
        "db.labels",
        "db.relationshipTypes",
        "db.propertyKeys",
        "db.schema.visualization",
        "db.schema.nodeTypeProperties",
        "db.schema.relTypeProperties",
    }
)
"""The only procedures the console calls: the graph's own vocabulary and schema."""
ALLOWED_COMMANDS = frozenset({"ShowIndexes", "ShowConstraints", "ShowFunctions", "ShowProcedures"})
"""The only ``SHOW`` commands the console runs (not transactions, settings, databases...)."""
MEMORY_CODES = (
    "Neo.TransientError.General.OutOfMemoryError",
    "Neo.TransientError.General.MemoryPoolOutOfMemoryError",
    "Neo.TransientError.General.TransactionMemoryLimit",
)
TIMEOUT_CODES = (
    "Neo.ClientError.Transaction.TransactionTimedOut",
    "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
)


class ConsoleRefused(ValueError):
    """The query is not a read-only query the console runs (message says why)."""


class ConsoleTimeout(RuntimeError):
    """The query ran past the console's timeout and was stopped by the server."""


def _valid_text(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text must be valid Unicode (no lone surrogate such as \\udc00)") from None
    return value


class CypherIn(BaseModel):
    """A query and its parameters."""

    model_config = ConfigDict(extra="forbid")
    query: str = Field(min_length=1, max_length=20_000)
    params: dict[str, Any] = Field(default_factory=dict)

    @field_validator("query")
    @classmethod
    def _query_text(cls, query: str) -> str:
        """The driver sends UTF-8: a lone surrogate would fail there (a 500)."""
        return _valid_text(query)

    @field_validator("params")
    @classmethod
    def _integers_fit(cls, params: dict[str, Any]) -> dict[str, Any]:
        """Neo4j integers are 64-bit; a larger one would fail in the driver (a 500)."""
        pending: list[Any] = [params]
        while pending:
            value = pending.pop()
            if isinstance(value, dict):
                pending.extend(value.values())
                pending.extend(value.keys())
            elif isinstance(value, str):
                _valid_text(value)
            elif isinstance(value, list):
                pending.extend(value)
            elif isinstance(value, int) and not -(2**63) <= value < 2**63:
                raise ValueError("integers must fit in 64 bits")
        return params


class CypherOut(BaseModel):
    """The rows (at most the row cap; ``truncated`` when there were more)."""

    columns: list[str]
    rows: list[dict[str, Any]]
    count: int
    truncated: bool
    row_cap: int


def _operators(plan: dict[str, Any] | None) -> list[tuple[str, str]]:
    """``(operator, details)`` of every operator of a plan (``@system`` kept on the name)."""
    if not plan:
        return []
    name = str(plan.get("operatorType", "")).split("@", 1)
    details = str(plan.get("args", {}).get("Details", ""))
    found = [(name[0] + ("@system" if name[1:] == ["system"] else ""), details)]
    for child in plan.get("children", []):
        found += _operators(child)
    return found


def _check_call(operator: str, details: str) -> None:
    """Refuse a procedure or command outside the allow-lists."""
    if "ProcedureCall" in operator:
        procedure = details.split("(", 1)[0].strip()
        if operator != "ProcedureCall" or procedure not in ALLOWED_PROCEDURES:
            raise ConsoleRefused(
                "refused: the console calls only the procedures "
                f"{', '.join(sorted(ALLOWED_PROCEDURES))} (not {procedure or operator})"
            )
    elif operator.startswith(("Show", "Terminate")) and operator not in ALLOWED_COMMANDS:
        raise ConsoleRefused(
            "refused: the console runs only SHOW INDEXES, SHOW CONSTRAINTS, SHOW FUNCTIONS and "
            "SHOW PROCEDURES among the commands"
        )


def check_plan(summary: ResultSummary) -> None:
    """Refuse anything but a read-only plan without the refused operators."""
    kind = summary.query_type
    if kind != "r":
        what = {"w": "writes", "rw": "reads and writes", "s": "changes the schema or the DBMS"}
        does = what.get(kind or "", "is not a read")
        raise ConsoleRefused(
            f"refused: the console is read-only and this query {does}"
            " (CREATE, MERGE, SET, DELETE, REMOVE, writing procedures, schema and admin "
            "commands are not allowed)"
        )
    for operator, details in _operators(summary.plan):
        if operator.endswith("@system"):
            raise ConsoleRefused("refused: commands on the system database are not allowed")
        if operator in REFUSED_OPERATORS:
            raise ConsoleRefused(f"refused: {REFUSED_OPERATORS[operator]}")
        _check_call(operator, details)


class ConsoleMemory(RuntimeError):
    """The query needed more memory than a transaction may use and was stopped."""


def _execute(
    graph: Graph, query: str, params: dict[str, Any], timeout: float, row_cap: int
) -> tuple[list[str], list[dict[str, Any]], bool]:
    """EXPLAIN, check, then run in explicit READ transactions (never retried)."""
    with graph.read_only_session() as session:
        with session.begin_transaction(timeout=timeout) as tx:
            summary = tx.run("EXPLAIN " + query, params).consume()
        check_plan(summary)
        with session.begin_transaction(timeout=timeout) as tx:
            result = tx.run(query, params)
            columns = list(result.keys())
            records = result.fetch(row_cap + 1)
            result.consume()
    rows = [{k: jsonable(r[k]) for k in columns} for r in records[:row_cap]]
    return columns, rows, len(records) > row_cap


def run_console(
    graph: Graph, query: str, params: dict[str, Any], *, timeout: float, row_cap: int
) -> CypherOut:
    """Check and run one read-only query (raises :class:`ConsoleRefused`,
    :class:`ConsoleTimeout`, :class:`ConsoleMemory`, or the driver's errors)."""
    try:
        columns, rows, truncated = _execute(graph, query, params, timeout, row_cap)
    except Neo4jError as exc:
        if exc.code in TIMEOUT_CODES:
            raise ConsoleTimeout(
                f"the query ran longer than the console's {timeout:g} s limit and was stopped; "
                "narrow it (a LIMIT, a label, an indexed property)"
            ) from None
        if exc.code in MEMORY_CODES:
            raise ConsoleMemory(
                "the query needed more memory than the console allows and was stopped; "
                "narrow it (a LIMIT, smaller lists, fewer rows collected)"
            ) from None
        if exc.code == "Neo.ClientError.Statement.AccessMode":
            raise ConsoleRefused("refused: the console is read-only") from None
        raise
    return CypherOut(
        columns=columns, rows=rows, count=len(rows), truncated=truncated, row_cap=row_cap
    )


_SLOTS_LOCK = threading.Lock()


def _slots(request: Request, settings: Settings) -> Slots:
    """The application's console slots (made on first use)."""
    with _SLOTS_LOCK:
        slots: Slots | None = getattr(request.app.state, "console_slots", None)
        if slots is None:
            slots = Slots(
                settings.api_console_concurrency, settings.api_console_concurrency_per_token
            )
            request.app.state.console_slots = slots
    return slots


@router.post("/cypher", response_model=CypherOut, responses=error_responses(400, 408, 429, 503))
def cypher(request: Request, body: CypherIn, caller: Viewer) -> CypherOut:
    """Run one read-only Cypher query with parameters: anything that writes, changes the
    schema, loads files, commits on its own, calls a procedure or command outside the
    allow-list or needs too much memory is refused (400); the server stops it after the
    configured timeout (408); too many at once are refused (429); at most the row cap rows
    are returned."""
    graph: Graph = request.app.state.graph
    settings: Settings = graph.settings
    try:
        with _slots(request, settings).take(caller.name):
            return run_console(
                graph,
                body.query,
                body.params,
                timeout=settings.api_console_timeout_seconds,
                row_cap=settings.api_console_row_cap,
            )
    except (ConsoleRefused, ConsoleMemory) as exc:
        raise HTTPException(400, str(exc)) from None
    except ConsoleTimeout as exc:
        raise HTTPException(408, str(exc)) from None
    except (ServiceUnavailable, SessionExpired):
        raise HTTPException(503, "the graph database is not reachable") from None
    except TransientError:
        raise HTTPException(503, "the graph database is busy: try again") from None
    except (ClientError, DatabaseError) as exc:
        raise HTTPException(400, f"Neo4j refused the query: {exc.code}: {exc.message}") from None
