"""The shell examples of README.md and docs/*.md, as the docs-examples test runs them.

A shell example is a fenced block tagged ``sh`` (every line is a command; ``#`` starts a
comment; a line ending in ``\\``, ``|``, ``&&`` or ``||`` goes on on the next) or ``console``
(only the lines that start with ``$ `` are commands, the rest is what they print). A block
that cannot run against the demo estate says why on the line right before its fence::

    <!-- example: not-runnable (needs a live vCenter) -->

(see docs/README.md, "Examples in the docs").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

SHELL = ("sh", "console")
MARK = re.compile(r"<!--\s*example:\s*not-runnable\s*(?:\((?P<reason>.*?)\))?\s*-->")
CONTINUED = ("\\", "|", "&&", "||")
"""A command whose line ends so goes on on the next line."""
FENCE = re.compile(r"^(?P<indent>\s*)```(?P<lang>[\w-]*)\s*$")


@dataclass
class Example:
    """One fenced shell block."""

    path: Path
    line: int
    lang: str
    body: list[str]
    reason: str | None = None
    commands: list[tuple[int, str]] = field(default_factory=list)

    @property
    def where(self) -> str:
        """``docs/api.md:14``."""
        folder = "docs/" if self.path.parent.name == "docs" else ""
        return f"{folder}{self.path.name}:{self.line}"


def _commands(lang: str, first: int, body: list[str]) -> list[tuple[int, str]]:
    """The commands of a block with the line each starts on."""
    commands: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 0
    for offset, raw in enumerate(body):
        line = raw.rstrip()
        if not pending:
            if lang == "console":
                if not line.startswith("$ "):
                    continue
                line = line[2:]
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            start = first + 1 + offset
        pending.append(line)
        if not line.endswith(CONTINUED):
            commands.append((start, "\n".join(pending)))
            pending = []
    if pending:
        commands.append((start, "\n".join(pending)))
    return commands


def examples(path: Path) -> tuple[list[Example], int]:
    """The shell examples of a Markdown file, and how many not-runnable markers it has."""
    lines = path.read_text(encoding="utf-8").split("\n")
    found: list[Example] = []
    i = 0
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if not fence:
            i += 1
            continue
        indent = len(fence["indent"])
        end = next(j for j in range(i + 1, len(lines)) if lines[j].strip() == "```")
        if fence["lang"] in SHELL:
            before = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
            mark = MARK.search(before)
            body = [line[indent:] for line in lines[i + 1 : end]]
            example = Example(path, i + 1, fence["lang"], body)
            if mark:
                example.reason = (mark["reason"] or "").strip()
            example.commands = _commands(example.lang, i + 1, body)
            found.append(example)
        i = end + 1
    return found, _markers(lines)


def _markers(lines: list[str]) -> int:
    """Not-runnable markers outside fenced blocks (a block may show one, as docs/README does)."""
    count, fenced = 0, False
    for line in lines:
        if line.strip().startswith("```"):
            fenced = not fenced
        elif not fenced and MARK.search(line):
            count += 1
    return count
