"""API tokens: who may call the HTTP API, with which role (domain layer).

A token is ``amt_<id>_<secret>``: ``id`` (32 hex digits) names the stored ``ApiToken`` node,
``secret`` is 32 random bytes (URL-safe base64). Only the SHA-256 of the secret is stored; the
whole token is shown once, when it is created. Authentication looks the node up by id and
compares the hashes in constant time. Revoked tokens are kept (marked), so once any token has
been created the API stays closed.

Roles, each including the ones before it:

* ``viewer`` reads everything;
* ``member`` also accepts and verifies decisions assigned to its own team;
* ``editor`` also assigns and enforces, and accepts and verifies for any team;
* ``admin`` also manages teams, target platforms and tokens.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from typing import Any, Literal

from pydantic import BaseModel, Field

from app.graph import Graph

Role = Literal["viewer", "member", "editor", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "member", "editor", "admin")
PREFIX = "amt_"
_TOKEN = re.compile(r"^amt_([0-9a-f]{32})_([A-Za-z0-9_-]{32,128})$")


class TokenError(ValueError):
    """A token request that cannot be honoured (unknown team, missing team for a member)."""


class Caller(BaseModel):
    """Who is calling: the token's name (the actor of events), role and team."""

    name: str
    role: Role
    team: str | None = None

    def at_least(self, role: Role) -> bool:
        """Whether this caller's role includes ``role``."""
        return ROLES.index(self.role) >= ROLES.index(role)


class TokenInfo(BaseModel):
    """A stored token, as listed (never the secret nor its hash)."""

    id: str
    name: str
    role: Role
    team: str | None = None
    created_at: str | None = None
    created_by: str | None = None
    expires_at: str | None = None
    revoked_at: str | None = None
    revoked_by: str | None = None
    active: bool = True


class NewToken(BaseModel):
    """What ``create`` asks for."""

    name: str = Field(min_length=1, max_length=200, pattern=r"^[\w.@+-]+$")
    role: Role
    team: str | None = Field(default=None, min_length=1, max_length=200)
    expires_days: int | None = Field(default=None, ge=1, le=3650)


class CreatedToken(TokenInfo):
    """A token just created: ``token`` is the secret, shown this one time."""

    token: str


def hash_secret(secret: str) -> str:
    """The stored form of a secret: its SHA-256, hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


def parse(token: str) -> tuple[str, str] | None:
    """``(id, secret)`` of a well-formed token, else ``None``."""
    match = _TOKEN.match(token.strip())
    return (match.group(1), match.group(2)) if match else None


def create(graph: Graph, request: NewToken, actor: str) -> CreatedToken:
    """Create a token; the returned ``token`` is the only copy of the secret."""
    if request.role == "member" and request.team is None:
        raise TokenError("a member token needs --team: members act for their team")
    if request.team is not None:
        teams = {r["name"] for r in graph.read("ownership/teams") if r["type"] == "team"}
        if request.team not in teams:
            raise TokenError(f"no team {request.team!r}: create it with `authmap teams add`")
    token_id = uuid.uuid4().hex
    secret = secrets.token_urlsafe(32)
    [row] = graph.write(
        "tokens/create",
        {
            **request.model_dump(),
            "id": token_id,
            "hash": hash_secret(secret),
            "actor": actor,
        },
    )
    return CreatedToken(**row, created_by=actor, token=f"{PREFIX}{token_id}_{secret}")


def list_tokens(graph: Graph) -> list[TokenInfo]:
    """Every token, active or not."""
    return [TokenInfo(**row) for row in graph.read("tokens/list")]


def revoke(graph: Graph, ref: str, actor: str) -> list[dict[str, Any]]:
    """Revoke the active tokens with this id or name; return the ones revoked."""
    return graph.write("tokens/revoke", {"ref": ref, "actor": actor})


class AuthResult(BaseModel):
    """The outcome of :func:`authenticate`: ``open`` when no token was ever created."""

    open: bool
    caller: Caller | None = None
    problem: str | None = None


def authenticate(graph: Graph, token: str | None) -> AuthResult:
    """Check a presented token against the graph (one read, so revocation is immediate)."""
    parsed = parse(token) if token else None
    [row] = graph.read("tokens/authenticate", {"id": parsed[0] if parsed else None})
    if row["tokens"] == 0:
        return AuthResult(open=True, caller=Caller(name="local", role="admin"))
    if token is None:
        return AuthResult(open=False, problem="an API token is required (Authorization: Bearer)")
    presented = hash_secret(parsed[1]) if parsed else ""
    stored = row["hash"] or hash_secret(secrets.token_urlsafe(32))
    if not (hmac.compare_digest(presented, stored) and parsed):
        return AuthResult(open=False, problem="invalid API token")
    if row["revoked"]:
        return AuthResult(open=False, problem="the API token was revoked")
    if row["expired"]:
        return AuthResult(open=False, problem="the API token has expired")
    return AuthResult(
        open=False, caller=Caller(name=row["name"], role=row["role"], team=row["team"])
    )
