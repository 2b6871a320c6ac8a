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

Several statements in one query are a syntax error for Neo4j, so they are refused too.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from neo4j import ManagedTransaction, ResultSummary, unit_of_work
from neo4j.exceptions import ClientError, DatabaseError, Neo4jError, ServiceUnavailable
from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.config import Settings
from app.graph import Graph
from app.service.auth import Viewer
from app.service.errors import error_responses
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
TIMEOUT_CODES = (
    "Neo.ClientError.Transaction.TransactionTimedOut",
    "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
)


class ConsoleRefused(ValueError):
    """The query is not a read-only query the console runs (message says why)."""


class ConsoleTimeout(RuntimeError):
    """The query ran past the console's timeout and was stopped by the server."""


class CypherIn(BaseModel):
    """A query and its parameters."""

    model_config = ConfigDict(extra="forbid")
    query: str = Field(min_length=1, max_length=20_000)
    params: dict[str, Any] = Field(default_factory=dict)

    @field_validator("params")
    @classmethod
    def _integers_fit(cls, params: dict[str, Any]) -> dict[str, Any]:
        """Neo4j integers are 64-bit; a larger one would fail in the driver (a 500)."""
        pending: list[Any] = [params]
        while pending:
            value = pending.pop()
            if isinstance(value, dict):
                pending.extend(value.values())
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


def _operators(plan: dict[str, Any] | None) -> list[str]:
    if not plan:
        return []
    name = str(plan.get("operatorType", "")).split("@", 1)
    found = [name[0] + ("@system" if name[1:] == ["system"] else "")]
    for child in plan.get("children", []):
        found += _operators(child)
    return found


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
    for operator in _operators(summary.plan):
        if operator.endswith("@system"):
            raise ConsoleRefused("refused: commands on the system database are not allowed")
        if operator in REFUSED_OPERATORS:
            raise ConsoleRefused(f"refused: {REFUSED_OPERATORS[operator]}")


def run_console(
    graph: Graph, query: str, params: dict[str, Any], *, timeout: float, row_cap: int
) -> CypherOut:
    """Check and run one read-only query (raises :class:`ConsoleRefused`,
    :class:`ConsoleTimeout`, or the driver's errors)."""

    @unit_of_work(timeout=timeout)
    def explain(tx: ManagedTransaction) -> ResultSummary:
        return tx.run("EXPLAIN " + query, params).consume()

    @unit_of_work(timeout=timeout)
    def run(tx: ManagedTransaction) -> tuple[list[str], list[dict[str, Any]], bool]:
        result = tx.run(query, params)
        columns = list(result.keys())
        records = result.fetch(row_cap + 1)
        rows = [{k: jsonable(r[k]) for k in columns} for r in records[:row_cap]]
        return columns, rows, len(records) > row_cap

    try:
        with graph.read_only_session() as session:
            check_plan(session.execute_read(explain))
            columns, rows, truncated = session.execute_read(run)
    except Neo4jError as exc:
        if exc.code in TIMEOUT_CODES:
            raise ConsoleTimeout(
                f"the query ran longer than the console's {timeout:g} s limit and was stopped; "
                "narrow it (a LIMIT, a label, an indexed property)"
            ) from None
        if exc.code == "Neo.ClientError.Statement.AccessMode":
            raise ConsoleRefused("refused: the console is read-only") from None
        raise
    return CypherOut(
        columns=columns, rows=rows, count=len(rows), truncated=truncated, row_cap=row_cap
    )


@router.post("/cypher", response_model=CypherOut, responses=error_responses(400, 408))
def cypher(request: Request, body: CypherIn, _: Viewer) -> CypherOut:
    """Run one read-only Cypher query with parameters: anything that writes, changes the
    schema, loads files or commits on its own is refused (400); the server stops it after
    the configured timeout (408); at most the row cap rows are returned."""
    graph: Graph = request.app.state.graph
    settings: Settings = graph.settings
    try:
        return run_console(
            graph,
            body.query,
            body.params,
            timeout=settings.api_console_timeout_seconds,
            row_cap=settings.api_console_row_cap,
        )
    except ConsoleRefused as exc:
        raise HTTPException(400, str(exc)) from None
    except ConsoleTimeout as exc:
        raise HTTPException(408, str(exc)) from None
    except ServiceUnavailable:
        raise HTTPException(503, "Neo4j is not reachable") from None
    except (ClientError, DatabaseError) as exc:
        raise HTTPException(400, f"Neo4j refused the query: {exc.code}: {exc.message}") from None
