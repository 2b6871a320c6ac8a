"""``/api/network``: whether one VM can reach another by NSX's rule order (the engine of
``authmap can-reach``), and a VM's reachable peers (the derived dependency map)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from app.graph import Graph
from app.network.answer import ReachQuery, ReachQueryError
from app.service.auth import require

router = APIRouter(
    prefix="/api/network", tags=["network"], dependencies=[Depends(require("viewer"))]
)


class ReachVmOut(BaseModel):
    """A VM of the question."""

    id: str
    name: str


class ReachRuleOut(BaseModel):
    """The rule that decided."""

    id: str
    name: str
    policy: str
    category: str
    sequence: int


class ReachStepOut(ReachRuleOut):
    """One rule considered: where (source or destination vNIC), the outcome and why."""

    at: str
    outcome: str
    why: str


class ReachOut(BaseModel):
    """The answer, shaped as ``authmap can-reach --format json`` prints it; verdict: allow,
    drop, reject, default-allow, default-drop or unknown."""

    source: ReachVmOut = Field(alias="from")
    destination: ReachVmOut = Field(alias="to")
    service: str
    verdict: str
    decided_for: str
    allowed_services: list[str]
    rule: ReachRuleOut | None
    explanation: list[ReachStepOut]
    notes: list[str]


class ReachErrorOut(BaseModel):
    """An error answer."""

    error: str


@router.get(
    "/can-reach",
    response_model=ReachOut,
    responses={400: {"model": ReachErrorOut}, 404: {"model": ReachErrorOut}},
)
def can_reach(
    request: Request,
    source: Annotated[str, Query(alias="from", min_length=1, max_length=512)],
    destination: Annotated[str, Query(alias="to", min_length=1, max_length=512)],
    port: Annotated[str | None, Query(max_length=32, description="443/tcp, 53/udp, icmp")] = None,
) -> dict[str, Any]:
    """Whether ``from`` can reach ``to`` through the distributed firewall, and why."""
    graph: Graph = request.app.state.graph
    return ReachQuery(source, destination, port).answer(graph)


def install(api: FastAPI) -> None:
    """Add the routes and the error mapping to the application."""

    @api.exception_handler(ReachQueryError)
    async def _bad_query(_: Request, exc: ReachQueryError) -> JSONResponse:
        return JSONResponse(status_code=exc.status, content={"error": str(exc)})

    api.include_router(router)
