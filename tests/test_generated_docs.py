"""Docs that cannot drift: docs/cli.md, the README's settings table and the reference part of
docs/graph-model.md are regenerated in memory from the code and compared with the files (as
Datasette checks its docs). Run ``authmap dev docs`` to bring them up to date."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import docgen
from app.config import Settings
from app.graph import descriptions, model
from tests.conftest import REPO, run_cli


def test_generated_files_match_the_code() -> None:
    rendered = docgen.render(REPO)
    for path, text in rendered.items():
        on_disk = (REPO / path).read_text(encoding="utf-8")
        assert on_disk == text, f"{path} is out of date: run `authmap dev docs`"


def test_every_label_and_property_is_described() -> None:
    assert descriptions.undescribed() == []
    reference = docgen.graph_model_reference()
    for node in model.NODE_TYPES:
        assert f"### `{node.label}`" in reference
        for prop in node.properties:
            assert f"| `{prop}` |" in reference


def test_the_settings_table_lists_every_setting() -> None:
    table = docgen.settings_table()
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name, field in Settings.model_fields.items():
        assert field.description, name
        assert f"| `{name}` |" in table and f"| `{name}` |" in readme


def test_the_cli_reference_has_every_command() -> None:
    text = (REPO / docgen.CLI_DOC).read_text(encoding="utf-8")
    for command in (
        "authmap decisions list",
        "authmap decisions assign",
        "authmap platforms list",
        "authmap teams list",
        "authmap events",
        "authmap who-can",
        "authmap dev docs",
    ):
        assert f"`{command}`" in text, command
    assert "--search" in text and "--limit" in text


def test_stale_files_are_found_and_rewritten(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    for name in ("README.md", "docs/graph-model.md"):
        text = (REPO / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(
            text.replace("| `batch_size` |", "| `old` |").replace("### `VCenter`", "### `Old`")
        )
    assert sorted(map(str, docgen.stale(tmp_path))) == [
        "README.md",
        "docs/cli.md",
        "docs/graph-model.md",
    ]
    docgen.write(tmp_path)
    assert docgen.stale(tmp_path) == []
    (tmp_path / "README.md").write_text("no markers here\n")
    with pytest.raises(docgen.DocsError, match="generated: settings"):
        docgen.render(tmp_path)


def test_dev_docs_check_exits_0_when_up_to_date() -> None:
    ok = run_cli("dev", "docs", "--check")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "up to date" in ok.stdout
