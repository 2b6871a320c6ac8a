"""``/api/permissions``: who can do what, with the explanation (the engine of ``authmap
effective`` and ``authmap who-can``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from pydantic import BaseModel

from app.graph import Graph
from app.permissions import PermissionEngine
from app.permissions.engine import AmbiguousNameError, NotFoundError
from app.service.auth import require
from app.service.errors import ErrorOut

router = APIRouter(
    prefix="/api/permissions", tags=["permissions"], dependencies=[Depends(require("viewer"))]
)


class EntityOut(BaseModel):
    """A vSphere entity."""

    id: str
    name: str
    kind: str


class PermissionOut(BaseModel):
    """The vCenter permission a step is about."""

    id: str
    principal: str
    is_group: bool
    role: str
    role_id: int
    propagate: bool
    entity: EntityOut


class StepOut(BaseModel):
    """One explanation step (effect: grant, mask, masked, overridden, shadowed)."""

    effect: str
    text: str
    chain: str
    inherited: bool
    via: list[str]
    permission: PermissionOut
    privileges: list[str]
    by: str | None


class AnswerOut(BaseModel):
    """One principal's effective privileges on one entity."""

    principal: str
    principal_id: str | None
    principal_kind: str
    enabled: bool
    entity: EntityOut
    privileges: list[str]
    masked_privileges: list[str]
    explanation: list[StepOut]


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "The name is ambiguous."},
    404: {"model": ErrorOut, "description": "No such principal, entity or privilege."},
}


def _engine(request: Request) -> PermissionEngine:
    graph: Graph = request.app.state.graph
    return PermissionEngine(graph)


@router.get("/effective", response_model=list[AnswerOut], responses=ERRORS)
def effective(
    request: Request,
    response: Response,
    principal: Annotated[str, Query(min_length=1, max_length=512, description="CORP\\alice")],
    entity: Annotated[str | None, Query(max_length=512, description="Name, moref or id")] = None,
    limit: Annotated[int, Query(ge=1, le=50_000)] = 1000,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[dict[str, Any]]:
    """A principal's effective privileges on one entity, or on every entity where a permission
    applies to it (paged with ``limit``/``offset``; ``X-Total-Count`` holds the total)."""
    answers = _engine(request).effective(principal, entity)
    response.headers["X-Total-Count"] = str(len(answers))
    return [a.to_dict() for a in answers[offset : offset + limit]]


@router.get("/who-can", response_model=list[AnswerOut], responses=ERRORS)
def who_can(
    request: Request,
    response: Response,
    entity: Annotated[str, Query(min_length=1, max_length=512, description="Name, moref or id")],
    privilege: Annotated[str | None, Query(max_length=256)] = None,
    include_denied: bool = False,
    limit: Annotated[int, Query(ge=1, le=50_000)] = 1000,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[dict[str, Any]]:
    """Every principal with privileges on the entity (users through nested groups one by one),
    with the explanation; paged, ``X-Total-Count`` holds the total."""
    answers = _engine(request).who_can(entity, privilege, include_denied=include_denied)
    response.headers["X-Total-Count"] = str(len(answers))
    return [a.to_dict() for a in answers[offset : offset + limit]]


def install(api: FastAPI) -> None:
    """Add the routes and the error mapping to the application."""
    from fastapi.responses import JSONResponse

    @api.exception_handler(NotFoundError)
    async def _not_found(_: Request, exc: NotFoundError) -> JSONResponse:
        return JSONResponse(status_code=404, content={"error": str(exc)})

    @api.exception_handler(AmbiguousNameError)
    async def _ambiguous(_: Request, exc: AmbiguousNameError) -> JSONResponse:
        return JSONResponse(status_code=400, content={"error": str(exc)})

    api.include_router(router)
