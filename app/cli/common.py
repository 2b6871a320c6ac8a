"""Helpers shared by the command modules: settings, the graph, errors, consoles."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console

from app.config import Settings, load_settings
from app.graph import Graph, GraphError

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

EXIT_FINDINGS = 1
EXIT_ERROR = 2


def fail(message: str, code: int = EXIT_ERROR) -> NoReturn:
    """Print ``error: message`` on stderr and exit with ``code`` (2 by default)."""
    err.print(f"[bold red]error:[/] {message}", highlight=False, markup=True)
    raise typer.Exit(code)


def settings() -> Settings:
    """The settings, or a clear error if the environment or config file is invalid."""
    try:
        return load_settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        fail(f"invalid setting {'.'.join(map(str, first['loc']))}: {first['msg']}")


@contextmanager
def graph() -> Iterator[Graph]:
    """A connected :class:`Graph`; configuration and connection errors become clean exits."""
    try:
        with Graph(settings()) as connected:
            yield connected
    except GraphError as exc:
        fail(str(exc))
