"""``/api/decisions``, their ownership lifecycle, ``/api/events``, ``/api/teams`` and
``/api/platforms``.

A lifecycle call (``POST /api/decisions/{id}/assign|accept|enforce|verify``) needs
``If-Match`` with the decision's ``ETag`` (its ``version``): 428 without it, 412 when the
decision has changed since. The write itself only applies while the decision is still at that
version (one Cypher statement, see ``app/lifecycle.py``), so a concurrent change between the
checks here and the write is also a 412 with nothing written. Each call appends an event whose
actor is the token's name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, Response, status
from fastapi.types import DecoratedCallable
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from app import decisions as domain
from app import lifecycle as ownership
from app.decisions import DecisionDetail, DecisionPage
from app.graph import Graph
from app.lifecycle import DecisionState, EventPage, TargetPlatform, Team
from app.service.auth import Admin, Editor, Member, Viewer
from app.service.errors import error_responses
from app.tokens import Caller

router = APIRouter(prefix="/api", tags=["decisions"])

Note = Field(default=None, max_length=2000)
MAX_OFFSET = 2**31 - 1
"""Neo4j's ``SKIP`` takes a 32-bit integer; a larger offset is invalid input (422), not a
database failure."""


def _graph(request: Request) -> Graph:
    graph: Graph = request.app.state.graph
    return graph


def etag(version: int) -> str:
    """The ``ETag`` of a decision at ``version``."""
    return f'"{version}"'


Status = Literal["unowned", "assigned", "accepted", "enforced", "verified", "retired"]


@router.get("/decisions", response_model=DecisionPage)
def decisions(
    request: Request,
    _: Viewer,
    category: Annotated[str | None, Query(max_length=100)] = None,
    status_: Annotated[Status | None, Query(alias="status")] = None,
    team: Annotated[str | None, Query(max_length=200)] = None,
    text: Annotated[str | None, Query(max_length=200, description="In the id or summary")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> DecisionPage:
    """Decisions, filtered by category, status (``retired`` for retired ones), owning team and
    text, ordered by category, kind and summary; paged. Each has its evidence and blast radius
    (the names of the VMs it affects)."""
    return domain.page(
        _graph(request),
        category=category,
        status=status_,
        team=team,
        text=text,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/decisions/{decision_id}", response_model=DecisionDetail, responses=error_responses(404)
)
def decision(request: Request, response: Response, decision_id: str, _: Viewer) -> DecisionDetail:
    """One decision; the ``ETag`` header is its version (send it as ``If-Match``)."""
    found = domain.detail(_graph(request), decision_id)
    if found is None:
        raise HTTPException(404, f"no decision {decision_id!r}")
    response.headers["ETag"] = etag(found.version)
    return found


class AssignIn(BaseModel):
    """Assign the decision to a team."""

    model_config = ConfigDict(extra="forbid")
    team: str = Field(min_length=1, max_length=200)
    note: str | None = Note


class AcceptIn(BaseModel):
    """The assigned team accepts ownership."""

    model_config = ConfigDict(extra="forbid")
    note: str | None = Note


class EnforceIn(BaseModel):
    """The target control that enforces the decision; ``reference: null`` means it has no
    native equivalent and is owned as a process."""

    model_config = ConfigDict(extra="forbid")
    platform: str = Field(min_length=1, max_length=200)
    reference: str | None = Field(default=None, min_length=1, max_length=1000)
    control_kind: str | None = Field(default=None, max_length=200)
    note: str | None = Note


class VerifyIn(BaseModel):
    """A verification of the current enforcement."""

    model_config = ConfigDict(extra="forbid")
    method: Literal["config_check", "dr_drill", "test_alert"]
    result: Literal["pass", "fail"]
    verified_at: AwareDatetime | None = None
    note: str | None = Note


def if_match(value: str | None) -> int:
    """The version an ``If-Match`` header names (428 when absent, 400 when not an ETag)."""
    if value is None:
        raise HTTPException(
            status.HTTP_428_PRECONDITION_REQUIRED,
            "If-Match is required: send the ETag of GET /api/decisions/{id}",
        )
    text = value.strip().removeprefix("W/").strip('"')
    if not text.isdigit() or len(text) > 18:
        raise HTTPException(400, f"If-Match must be a decision ETag such as '\"3\"', not {value!r}")
    return int(text)


LIFECYCLE_ERRORS = error_responses(400, 401, 403, 404, 409, 412, 428)


@dataclass(frozen=True)
class LifecycleCall:
    """What the four lifecycle calls share: the graph, the response (for its ``ETag``), the
    decision and the ``If-Match`` header."""

    graph: Graph
    response: Response
    decision_id: str
    if_match: str | None

    def apply(
        self, caller: Caller, action: str, call: Callable[[int], DecisionState]
    ) -> DecisionState:
        """Check ``If-Match`` and the caller's team, then ``call`` the ownership write with the
        expected version; set the new ``ETag`` and map ownership errors to HTTP ones."""
        decision_id = self.decision_id
        version = if_match(self.if_match)
        try:
            current = ownership.state(self.graph, decision_id)
        except ownership.NotFoundError as exc:
            raise HTTPException(404, str(exc)) from None
        if current.version != version:
            raise HTTPException(
                status.HTTP_412_PRECONDITION_FAILED,
                f"decision {decision_id} is at version {current.version}, not {version}: "
                "reload it and try again",
                headers={"ETag": etag(current.version)},
            )
        # A member acts for its own team only; the write below only applies at this version,
        # so the team checked here is the team of the decision that is written.
        member_only = action in ("accept", "verify") and not caller.at_least("editor")
        if member_only and (current.team is None or current.team != caller.team):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"decision {decision_id} is assigned to {current.team or 'no team'}, "
                f"not to {caller.team or 'your team'}: a member may {action} only its "
                "own team's decisions",
            )
        try:
            new = call(version)
        except ownership.ConflictError as exc:
            raise HTTPException(status.HTTP_412_PRECONDITION_FAILED, str(exc)) from None
        except ownership.NotFoundError as exc:
            raise HTTPException(400, str(exc)) from None
        except ownership.OwnershipError as exc:
            raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
        self.response.headers["ETag"] = etag(new.version)
        return new


def _lifecycle_call(
    request: Request,
    response: Response,
    decision_id: str,
    if_match_: Annotated[str | None, Header(alias="If-Match")] = None,
) -> LifecycleCall:
    # Only gathers the request's parts: checking If-Match here would answer 428 before the
    # caller's token is checked.
    return LifecycleCall(_graph(request), response, decision_id, if_match_)


Lifecycle = Annotated[LifecycleCall, Depends(_lifecycle_call)]


def _lifecycle_route(action: str) -> Callable[[DecoratedCallable], DecoratedCallable]:
    return router.post(
        f"/decisions/{{decision_id}}/{action}",
        response_model=DecisionState,
        responses=LIFECYCLE_ERRORS,
    )


@_lifecycle_route("assign")
def assign(call: Lifecycle, body: AssignIn, caller: Editor) -> DecisionState:
    """Assign the decision to a team (editor)."""
    return call.apply(
        caller,
        "assign",
        lambda v: ownership.assign(
            call.graph, call.decision_id, body.team, caller.name, expected_version=v, note=body.note
        ),
    )


@_lifecycle_route("accept")
def accept(call: Lifecycle, body: AcceptIn, caller: Member) -> DecisionState:
    """The assigned team accepts ownership (a member of that team, or an editor)."""
    return call.apply(
        caller,
        "accept",
        lambda v: ownership.accept(
            call.graph, call.decision_id, caller.name, expected_version=v, note=body.note
        ),
    )


@_lifecycle_route("enforce")
def enforce(call: Lifecycle, body: EnforceIn, caller: Editor) -> DecisionState:
    """Record the target control that enforces the decision (editor)."""
    return call.apply(
        caller,
        "enforce",
        lambda v: ownership.enforce(
            call.graph,
            call.decision_id,
            caller.name,
            platform=body.platform,
            reference=body.reference,
            control_kind=body.control_kind,
            expected_version=v,
            note=body.note,
        ),
    )


@_lifecycle_route("verify")
def verify(call: Lifecycle, body: VerifyIn, caller: Member) -> DecisionState:
    """Record a verification (a member of the owning team, or an editor)."""
    return call.apply(
        caller,
        "verify",
        lambda v: ownership.verify(
            call.graph,
            call.decision_id,
            caller.name,
            method=body.method,
            result=body.result,
            verified_at=body.verified_at,
            expected_version=v,
            note=body.note,
        ),
    )


@router.get("/events", response_model=EventPage)
def events(
    request: Request,
    _: Viewer,
    decision: Annotated[str | None, Query(max_length=1000)] = None,
    actor: Annotated[str | None, Query(max_length=200)] = None,
    since: Annotated[AwareDatetime | None, Query(description="ISO date-time with zone")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> EventPage:
    """The event log, newest first, filtered by decision, actor and time; paged."""
    return ownership.events_page(
        _graph(request), decision_id=decision, actor=actor, since=since, limit=limit, offset=offset
    )


@router.get("/teams", response_model=list[Team])
def teams(request: Request, _: Viewer) -> list[Team]:
    """Teams that can own decisions."""
    return ownership.teams(_graph(request))


@router.post("/teams", response_model=Team, responses=error_responses(401, 403))
def save_team(request: Request, body: Team, caller: Admin) -> Team:
    """Create or update a team (admin)."""
    ownership.upsert_team(_graph(request), body, caller.name)
    return body


@router.get("/platforms", response_model=list[TargetPlatform])
def platforms(request: Request, _: Viewer) -> list[TargetPlatform]:
    """Target platforms."""
    return ownership.platforms(_graph(request))


@router.post("/platforms", response_model=TargetPlatform, responses=error_responses(401, 403))
def save_platform(request: Request, body: TargetPlatform, caller: Admin) -> TargetPlatform:
    """Create or update a target platform (admin)."""
    ownership.upsert_platform(_graph(request), body, caller.name)
    return body
