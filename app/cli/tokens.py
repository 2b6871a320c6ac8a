"""``authmap tokens``: API tokens (stored hashed; the secret is printed once)."""

from __future__ import annotations

import json
from enum import StrEnum

import typer
from pydantic import ValidationError
from rich.table import Table

from app.cli.common import err, fail, graph, out
from app.lifecycle import default_actor
from app.tokens import NewToken, TokenError, create, list_tokens, revoke

app = typer.Typer(help="API tokens for `authmap serve`.", no_args_is_help=True)


class RoleChoice(StrEnum):
    """A token's role."""

    viewer = "viewer"
    member = "member"
    editor = "editor"
    admin = "admin"


@app.command("create")
def create_cmd(
    name: str = typer.Option(..., "--name", help="Who uses it: the actor of its events."),
    role: RoleChoice = typer.Option(..., "--role"),
    team: str | None = typer.Option(None, "--team", help="The team a member acts for."),
    expires_days: int | None = typer.Option(None, "--expires-days", help="Expire after D days."),
) -> None:
    """Create a token and print it (the only time it is shown: only its hash is stored)."""
    try:
        request = NewToken(name=name, role=role.value, team=team, expires_days=expires_days)
    except ValidationError as exc:
        first = exc.errors()[0]
        fail(f"invalid {'.'.join(map(str, first['loc']))}: {first['msg']}")
    with graph() as connected:
        try:
            created = create(connected, request, default_actor())
        except TokenError as exc:
            fail(str(exc))
    err.print(
        f"token {created.name} ({created.role}"
        + (f", team {created.team}" if created.team else "")
        + (f", expires {created.expires_at}" if created.expires_at else "")
        + "): store it now, it is not shown again",
        highlight=False,
    )
    typer.echo(created.token)


@app.command("list")
def list_cmd(as_json: bool = typer.Option(False, "--json")) -> None:
    """Every token (never the secret)."""
    with graph() as connected:
        tokens = list_tokens(connected)
    if as_json:
        typer.echo(json.dumps([t.model_dump() for t in tokens], indent=2))
        return
    table = Table("id", "name", "role", "team", "expires", "state")
    for t in tokens:
        state = "active" if t.active else ("revoked" if t.revoked_at else "expired")
        table.add_row(t.id, t.name, t.role, t.team or "", t.expires_at or "", state)
    out.print(table)


@app.command("revoke")
def revoke_cmd(ref: str = typer.Argument(..., help="The token's id or name.")) -> None:
    """Revoke a token (every active token with that name)."""
    with graph() as connected:
        revoked = revoke(connected, ref, default_actor())
    if not revoked:
        fail(f"no active token with id or name {ref!r}")
    for row in revoked:
        out.print(f"revoked {row['name']} ({row['id']})")
