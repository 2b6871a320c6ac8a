"""Helpers shared by the command modules: settings, the graph, errors, consoles."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console, ConsoleDimensions
from rich.markup import escape

from app.config import Settings, load_settings
from app.graph import Graph, GraphError

EXIT_FINDINGS = 1
EXIT_ERROR = 2
PIPE_WIDTH = 10_000
"""Columns of output that goes to a file or a pipe: wide enough that nothing is cut or wrapped."""


class _Console(Console):
    """A console as wide as the terminal, and not cut at 80 columns when it writes to a pipe or
    a file (``COLUMNS`` still sets the width when given)."""

    @property
    def size(self) -> ConsoleDimensions:
        """The terminal's size; :data:`PIPE_WIDTH` columns when not writing to a terminal."""
        if self.is_terminal or os.environ.get("COLUMNS", "").isdigit():
            return super().size
        return ConsoleDimensions(PIPE_WIDTH, super().size.height)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        Console.size.fset(self, new_size)  # type: ignore[attr-defined]


# No markup in what is printed: names, summaries and messages may hold ``[...]``.
out = _Console(soft_wrap=True, markup=False)
err = _Console(stderr=True, soft_wrap=True, markup=False)


ACTOR = typer.Option(None, "--actor", help="Who records this (default: user@host).")
"""The ``--actor`` option of every command that records an event."""


def fail(message: str, code: int = EXIT_ERROR) -> NoReturn:
    """Print ``error: message`` on stderr and exit with ``code`` (2 by default)."""
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, markup=True)
    raise typer.Exit(code)


def shown(offset: int, count: int, total: int, noun: str) -> str:
    """``12 decision(s)``, or ``decisions 1-100 of 480 …`` when a page holds only part."""
    if count == total:
        return f"{total} {noun}(s)"
    if count == 0:
        return f"no {noun}s from {offset + 1} on ({total} in all)"
    return f"{noun}s {offset + 1}-{offset + count} of {total} (--offset, --limit for more)"


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
