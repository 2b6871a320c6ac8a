"""Authentication and roles for every ``/api`` route, and ``/api/tokens`` (admin).

``Authorization: Bearer <token>``. While no token was ever created the service is open (it
then listens on loopback only, see ``authmap serve``) and every caller is the admin ``local``.
Once any token exists every call needs a valid one: 401 when it is missing, malformed,
unknown, revoked or expired; 403 when its role is not enough. Each request reads the token
from the graph, so a revocation takes effect at once on every replica.

While the service is open, a request must name it in its ``Host`` header by ``localhost``, an
IP address, a single-label name (``myhost``: no public DNS name an attacker could rebind) or one
of ``api_allowed_hosts`` (a page on a rebound DNS name cannot use it), and a
write that carries an ``Origin`` must come from the same origin or an allowed host (no
cross-site form posts): 403 otherwise.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, HTTPException, Request, status

from app.graph import Graph
from app.tokens import (
    Caller,
    CreatedToken,
    NewToken,
    Role,
    TokenError,
    TokenInfo,
    authenticate,
    create,
    list_tokens,
    revoke,
)

CHALLENGE = {"WWW-Authenticate": "Bearer"}


def _graph(request: Request) -> Graph:
    graph: Graph = request.app.state.graph
    return graph


def bearer(request: Request) -> str | None:
    """The token of the ``Authorization`` header (None when absent; 401 when malformed)."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "the Authorization header must be `Bearer <token>`",
            headers=CHALLENGE,
        )
    return value.strip()


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _host_name(value: str) -> str:
    """The host part of a ``Host`` header value (no port, no IPv6 brackets), lower case."""
    try:
        return (urlsplit(f"//{value}").hostname or "").lower()
    except ValueError:
        return ""


def _allowed_name(host: str, allowed: list[str]) -> bool:
    if (host and "." not in host) or host.endswith(".localhost") or host in allowed:
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def check_open_request(request: Request) -> None:
    """403 unless an open-mode request names this service (see the module docstring)."""
    allowed = [name.lower() for name in _graph(request).settings.api_allowed_hosts]
    host_header = request.headers.get("host", "")
    if not _allowed_name(_host_name(host_header), allowed):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            "the service has no API tokens yet, so it answers only requests addressed to "
            "localhost, an IP address, a single-label name or AUTHMAP_API_ALLOWED_HOSTS (Host "
            "header refused)",
        )
    origin = request.headers.get("origin")
    if origin is None or request.method in SAFE_METHODS:
        return
    try:
        parts = urlsplit(origin)
        origin_host = (parts.hostname or "").lower()
    except ValueError:
        origin_host, parts = "", urlsplit("")
    same = parts.netloc.lower() == host_header.lower()
    if not (same or origin_host in allowed):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            "the service has no API tokens yet, so it accepts writes only from its own pages "
            "(Origin header refused)",
        )


def current_caller(request: Request) -> Caller:
    """The authenticated caller (401 when a token is needed and not valid; 403 for an
    open-mode request that does not name this service)."""
    result = authenticate(_graph(request), bearer(request))
    if result.open:
        check_open_request(request)
    if result.caller is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, result.problem or "unauthorised", headers=CHALLENGE
        )
    request.state.caller = result.caller
    return result.caller


def require(role: Role) -> Callable[[Caller], Caller]:
    """A dependency: the caller, who must hold at least ``role`` (403 otherwise)."""

    def dependency(caller: Annotated[Caller, Depends(current_caller)]) -> Caller:
        if not caller.at_least(role):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"this needs the {role} role; token {caller.name!r} is {caller.role}",
            )
        return caller

    dependency.__name__ = f"require_{role}"
    return dependency


Viewer = Annotated[Caller, Depends(require("viewer"))]
Member = Annotated[Caller, Depends(require("member"))]
Editor = Annotated[Caller, Depends(require("editor"))]
Admin = Annotated[Caller, Depends(require("admin"))]

router = APIRouter(prefix="/api/tokens", tags=["tokens"])


@router.get("", response_model=list[TokenInfo])
def tokens(request: Request, _: Admin) -> list[TokenInfo]:
    """Every token (never its secret or hash)."""
    return list_tokens(_graph(request))


@router.post("", response_model=CreatedToken, status_code=status.HTTP_201_CREATED)
def create_token(request: Request, body: NewToken, caller: Admin) -> CreatedToken:
    """Create a token; the answer holds the secret, shown this one time."""
    try:
        return create(_graph(request), body, caller.name)
    except TokenError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from None


@router.delete("/{ref}", response_model=list[TokenInfo])
def revoke_token(request: Request, ref: str, caller: Admin) -> list[TokenInfo]:
    """Revoke the active tokens with this id or name (404 when there is none)."""
    graph = _graph(request)
    revoked = {row["id"] for row in revoke(graph, ref, caller.name)}
    if not revoked:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no active token {ref!r}")
    return [t for t in list_tokens(graph) if t.id in revoked]
