"""Named Cypher files: ``cypher/<name>.cypher`` is the statement called ``<name>``.

A file may hold several statements separated by ``;`` at the end of a line (``schema.cypher``);
``//`` comment lines are kept in the text (Neo4j ignores them) and a leading block of
``// key: value`` lines is read as the file's header (audits use it).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import app

_HEADER_LINE = re.compile(r"^//\s*([A-Za-z_][\w-]*)\s*:\s*(.*)$")


class CypherFileError(LookupError):
    """A named Cypher file does not exist."""


def cypher_dir() -> Path:
    """``cypher/`` beside the ``app`` package (source tree), else the copy inside a wheel."""
    package = Path(app.__file__).resolve().parent
    for candidate in (package.parent / "cypher", package / "_cypher"):
        if candidate.is_dir():
            return candidate
    raise CypherFileError(f"no cypher/ directory next to {package}")


def split_statements(text: str) -> list[str]:
    """Split a file into statements at lines ending with ``;`` (comments-only parts dropped)."""
    statements: list[str] = []
    current: list[str] = []
    for line in text.splitlines():
        current.append(line)
        if line.rstrip().endswith(";"):
            statements.append("\n".join(current).rstrip().rstrip(";"))
            current = []
    if current:
        statements.append("\n".join(current))
    return [
        s
        for s in statements
        if any(ln.strip() and not ln.strip().startswith("//") for ln in s.splitlines())
    ]


class CypherLibrary:
    """Reads statements by name from a ``cypher/`` directory (cached)."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or cypher_dir()

    def path(self, name: str) -> Path:
        """The file of a statement name such as ``load/nodes/VirtualMachine``."""
        if ".." in Path(name).parts or name.startswith("/"):
            raise CypherFileError(f"bad statement name {name!r}")
        return self.root / f"{name}.cypher"

    def text(self, name: str) -> str:
        """The whole text of a file."""
        return _read(self.path(name))

    def statements(self, name: str) -> list[str]:
        """The statements of a file, in order."""
        return split_statements(self.text(name))

    def statement(self, name: str) -> str:
        """The single statement of a file (error if it holds several)."""
        found = self.statements(name)
        if len(found) != 1:
            raise CypherFileError(f"{self.path(name)} holds {len(found)} statements, expected 1")
        return found[0]

    def header(self, name: str) -> dict[str, str]:
        """The leading ``// key: value`` lines of a file."""
        header: dict[str, str] = {}
        for line in self.text(name).splitlines():
            match = _HEADER_LINE.match(line.strip())
            if not match:
                break
            header[match.group(1).lower()] = match.group(2).strip()
        return header

    def names(self, prefix: str = "") -> list[str]:
        """Every statement name under a sub-directory, sorted."""
        base = self.root / prefix
        return sorted(str(p.relative_to(self.root).with_suffix("")) for p in base.rglob("*.cypher"))


@cache
def _read(path: Path) -> str:
    try:
        return path.read_text()
    except FileNotFoundError:
        raise CypherFileError(f"no Cypher file {path}") from None
