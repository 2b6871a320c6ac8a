"""Docs that cannot drift: the parts of the documentation that are generated from the code.

* ``docs/cli.md``: the whole command reference, from the Typer app (every command, its help,
  arguments and options);
* the settings table of ``README.md``, from :class:`app.config.Settings`;
* the label and property reference of ``docs/graph-model.md``, from ``app/graph/model.py``.

A generated part of a hand-written file sits between ``<!-- generated: NAME -->`` and
``<!-- end generated: NAME -->``. ``authmap dev docs`` rewrites them; ``authmap dev docs
--check`` (and a test) fails when a file differs from what the code gives.
"""

from __future__ import annotations

import re
from enum import Enum
from pathlib import Path
from typing import Any

import typer
from pydantic.fields import FieldInfo

from app.config import Settings
from app.graph import descriptions as docs
from app.graph import model

REPO = Path(__file__).resolve().parent.parent
CLI_DOC = "docs/cli.md"


class DocsError(ValueError):
    """A file lacks the markers of a generated block, or the model lacks a description."""


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


# -- the command reference ---------------------------------------------------------------------
# Typer vendors its own click: its classes are told apart by what they have, not by isinstance.
def _is_argument(param: Any) -> bool:
    return bool(param.param_type_name == "argument")


def _param(param: Any) -> tuple[str, str]:
    if _is_argument(param):
        return f"`{param.name.upper()}`", "argument" + ("" if param.required else " (optional)")
    names = ", ".join(f"`{n}`" for n in (*param.opts, *param.secondary_opts))
    parts = [param.help or ""]
    kind = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    if isinstance(kind, type) and issubclass(kind, Enum):
        parts.append(f"One of: {', '.join(str(c.value) for c in kind)}.")
    if param.required:
        parts.append("Required.")
    elif param.default is not None and param.default not in ((), []) and not param.is_flag:
        default = param.default.value if hasattr(param.default, "value") else param.default
        parts.append(f"Default: `{default}`.")
    if param.multiple and "repeat" not in (param.help or "").lower():
        parts.append("Repeatable.")
    return names, " ".join(p for p in parts if p)


def _command(path: str, command: Any, level: int) -> list[str]:
    lines = [f"{'#' * min(level, 4)} `{path}`", ""]
    help_text = (command.help or "").strip()
    if help_text:
        paragraphs = re.split(r"\n\s*\n", help_text.replace("\b", ""))
        for paragraph in paragraphs:
            if paragraph.strip():
                lines += [" ".join(paragraph.split()), ""]
    shell_setup = ("help", "install_completion", "show_completion")
    params = [p for p in command.params if p.name not in shell_setup and not p.hidden]
    group = hasattr(command, "commands")
    if not group:
        usage = " ".join(
            [path, "[OPTIONS]" if any(not _is_argument(p) for p in params) else ""]
            + [
                p.name.upper() if p.required else f"[{p.name.upper()}]"
                for p in params
                if _is_argument(p)
            ]
        )
        lines += ["```", " ".join(usage.split()), "```", ""]
    if params:
        lines += ["| parameter | meaning |", "|---|---|"]
        lines += [f"| {name} | {_cell(text)} |" for name, text in map(_param, params)]
        lines.append("")
    if group:
        for name in sorted(command.commands):
            sub = command.commands[name]
            if not sub.hidden:
                lines += _command(f"{path} {name}", sub, level + 1)
    return lines


def cli_reference(app: typer.Typer) -> str:
    """``docs/cli.md``: every command of ``app`` with its help, arguments and options."""
    root = typer.main.get_command(app)
    head = [
        "# Command reference",
        "",
        "<!-- Generated from the Typer app by `authmap dev docs`; do not edit by hand: a test",
        "     (tests/test_generated_docs.py) fails when this file and the code disagree. -->",
        "",
        "Every command also takes `-h`/`--help`. Exit codes: 0 success, 1 findings (`audit`), "
        "2 bad input or an error (one line on stderr, nothing changed).",
        "",
    ]
    return "\n".join(head + _command("authmap", root, 2)).rstrip() + "\n"


# -- the settings table ------------------------------------------------------------------------
def _env_names(field: FieldInfo) -> list[str]:
    alias: Any = field.validation_alias
    return [str(c) for c in getattr(alias, "choices", [alias]) if c]


def _default(name: str, field: FieldInfo) -> str:
    documented = {
        "home": "`$XDG_DATA_HOME/authmap` (`~/.local/share/authmap`)",
        "cache": "`$XDG_CACHE_HOME/authmap` (`~/.cache/authmap`)",
        "neo4j_uri": "the local server of `authmap neo4j start`",
        "neo4j_password": "the generated one of the local server",
    }
    if name in documented:
        return documented[name]
    if field.default_factory is not None:
        return f"`{field.default_factory()}`"  # type: ignore[call-arg]
    return f"`{field.default}`"


def settings_table() -> str:
    """The README's settings table: every field of :class:`Settings`."""
    lines = ["| setting (config file key) | environment | default | meaning |", "|---|---|---|---|"]
    for name, field in Settings.model_fields.items():
        if not field.description:
            raise DocsError(f"setting {name} has no description in app/config.py")
        env = ", ".join(f"`{e}`" for e in _env_names(field))
        lines.append(f"| `{name}` | {env} | {_default(name, field)} | {_cell(field.description)} |")
    return "\n".join(lines) + "\n"


# -- the graph model reference -----------------------------------------------------------------
def _rel(rel: model.Rel, label: str) -> str:
    if rel.reverse:
        return f"`(:{rel.target})-[:{rel.type}]->(:{label})` (from `{rel.field}`)"
    return f"`(:{label})-[:{rel.type}]->(:{rel.target})` (from `{rel.field}`)"


def graph_model_reference() -> str:
    """Every node type of the model: its description, labels, relationships and properties,
    each property with its description."""
    lines: list[str] = []
    missing = docs.undescribed()
    if missing:
        raise DocsError(f"no description in app/graph/model.py for: {', '.join(missing)}")
    for node in model.NODE_TYPES:
        label = node.label
        labels = ", ".join(f"`:{x}`" for x in (label, model.SOURCE_LABEL, *node.extra_labels))
        lines += [f"### `{label}`", "", docs.label_description(node), "", f"Labels: {labels}."]
        if node.indexes:
            lines.append(f"Indexed: {', '.join(f'`{i}`' for i in node.indexes)}.")
        lines.append("")
        if node.rels:
            lines += [f"* {_rel(rel, label)}" for rel in node.rels] + [""]
        lines += ["| property | meaning |", "|---|---|"]
        lines += [
            f"| `{p}` | {_cell(docs.property_description(node, p))} |" for p in node.properties
        ]
        lines.append("")
    return "\n".join(lines)


# -- putting it together -----------------------------------------------------------------------
def replace_block(text: str, name: str, content: str) -> str:
    """``text`` with the generated block ``name`` replaced by ``content``."""
    start, end = f"<!-- generated: {name} -->", f"<!-- end generated: {name} -->"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        raise DocsError(f"no `{start}` … `{end}` block")
    return pattern.sub(lambda _: f"{start}\n{content.rstrip()}\n{end}", text, count=1)


def render(root: Path = REPO) -> dict[Path, str]:
    """Every generated file as the code gives it (path relative to ``root`` -> text)."""
    from app.cli import app  # the CLI imports this module's command, not the reverse

    readme = (root / "README.md").read_text(encoding="utf-8")
    graph_doc = (root / "docs/graph-model.md").read_text(encoding="utf-8")
    return {
        Path(CLI_DOC): cli_reference(app),
        Path("README.md"): replace_block(readme, "settings", settings_table()),
        Path("docs/graph-model.md"): replace_block(
            graph_doc, "graph-model", graph_model_reference()
        ),
    }


def stale(root: Path = REPO) -> list[Path]:
    """The generated files that differ from what the code gives."""
    return [
        path
        for path, text in render(root).items()
        if not (root / path).exists() or (root / path).read_text(encoding="utf-8") != text
    ]


def write(root: Path = REPO) -> list[Path]:
    """Rewrite the generated files that are stale; the paths rewritten."""
    changed = stale(root)
    rendered = render(root)
    for path in changed:
        (root / path).write_text(rendered[path], encoding="utf-8")
    return changed
