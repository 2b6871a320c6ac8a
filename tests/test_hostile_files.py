"""Hostile input files through the real CLI against the real Neo4j: malformed snapshots for
`authmap load`, malformed ownership files for `authmap owners import`, hostile runbooks for
`authmap collect/ingest runbooks`. A refused file exits 2 with one `error:` line on stderr, no
traceback, and the graph is unchanged (a fingerprint of every node and relationship).

Cases already in test_snapshot_load.py (invalid field, unknown kind, extra field, header
version, missing trailer, duplicate id, data after the end, a line that is not JSON) and
test_decisions.py (unknown decision id, bad status, verified without verification, unknown
top-level key) are not repeated."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from app.cli import app as cli_app
from app.derive import run_derive
from app.graph import Graph
from app.graph.loader import load_snapshot
from app.snapshot import validate
from ingest.runbooks import collect_runbooks
from tests.conftest import Neo4jInstance, query
from tests.support.permission_estate import write_snapshots
from tests.test_api import _estate
from tests.test_hostile_api import _fingerprint


@pytest.fixture(scope="module")
def estate(
    neo4j_instance: Neo4jInstance, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    """A loaded and derived estate, one team; returns its two snapshot files."""
    graph = Graph(neo4j_instance.settings())
    graph.write_chunked("admin/wipe", {})
    graph.apply_schema()
    vc, ad = write_snapshots(_estate(), tmp_path_factory.mktemp("hostile-files"))
    load_snapshot(graph, vc)
    load_snapshot(graph, ad)
    run_derive(graph)
    query(neo4j_instance, "MERGE (:Team {name: 'ops'})")
    graph.close()
    return vc, ad


def _refused(instance: Neo4jInstance, *args: str, expect: str, subprocess: bool = False) -> str:
    """Run the CLI; it must exit 2 with one clear error line and write nothing. In process
    (the same Typer app, without an interpreter start per case) unless ``subprocess``."""
    before = _fingerprint(instance)
    if subprocess:
        proc = instance.cli(*args)
        code, stdout, stderr, raised = proc.returncode, proc.stdout, proc.stderr, None
    else:
        result = CliRunner().invoke(cli_app, list(args), env=instance.env)
        code, stdout, stderr, raised = result.exit_code, result.stdout, result.stderr, None
        if not isinstance(result.exception, SystemExit | None):
            raised = result.exception
    lines = stderr.strip().splitlines()
    assert code == 2 and raised is None, (code, stdout, stderr, raised)
    assert "Traceback" not in stderr
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    assert expect in lines[0], lines[0]
    assert _fingerprint(instance) == before
    return lines[0]


# --- snapshots ------------------------------------------------------------------------------


def _plain(good: Path) -> list[str]:
    with gzip.open(good, "rt") if good.suffix == ".gz" else good.open() as handle:
        return handle.read().splitlines()


def _lines_file(
    change: Callable[[list[str]], list[str]], name: str = "bad.jsonl"
) -> Callable[[Path, Path], Path]:
    def make(good: Path, tmp: Path) -> Path:
        path = tmp / name
        path.write_text("\n".join(change(_plain(good))) + "\n", encoding="utf-8")
        return path

    return make


def _bytes_file(data: Callable[[bytes], bytes], name: str) -> Callable[[Path, Path], Path]:
    def make(good: Path, tmp: Path) -> Path:
        path = tmp / name
        path.write_bytes(data(("\n".join(_plain(good)) + "\n").encode()))
        return path

    return make


def _flip_middle(raw: bytes) -> bytes:
    packed = bytearray(gzip.compress(raw, mtime=0))
    for i in range(len(packed) // 2, len(packed) // 2 + 16):
        packed[i] ^= 0xFF
    return bytes(packed)


def _record(lines: list[str], index: int, **change: object) -> list[str]:
    data = json.loads(lines[index])
    data.update(change)
    return [*lines[:index], json.dumps(data), *lines[index + 1 :]]


SNAPSHOTS: dict[str, tuple[Callable[[Path, Path], Path], str]] = {
    "empty": (_bytes_file(lambda _: b"", "empty.jsonl"), "empty file"),
    "only-blank-lines": (_bytes_file(lambda _: b"\n \n\t\n", "blank.jsonl"), "empty file"),
    "binary-garbage": (
        _bytes_file(lambda _: bytes(range(256)) * 64, "garbage.jsonl"),
        "garbage.jsonl",
    ),
    "invalid-utf8": (
        _bytes_file(lambda raw: raw.replace(b'"name"', b'"n\xff\xfeame"', 1), "latin.jsonl"),
        "unreadable",
    ),
    "gzip-corrupt": (_bytes_file(_flip_middle, "corrupt.jsonl.gz"), "corrupt.jsonl.gz"),
    "gzip-truncated": (
        _bytes_file(lambda raw: gzip.compress(raw)[: len(gzip.compress(raw)) // 2], "cut.jsonl.gz"),
        "cut.jsonl.gz",
    ),
    "not-gzip": (_bytes_file(lambda raw: raw, "plain.jsonl.gz"), "plain.jsonl.gz"),
    "header-not-an-object": (
        _lines_file(lambda lines: ["[1, 2, 3]", *lines[1:]]),
        ":1: expected a JSON object",
    ),
    "header-missing": (_lines_file(lambda lines: lines[1:]), ":1: header field"),
    "header-wrong-format": (
        _lines_file(lambda lines: _record(lines, 0, format="other-tool")),
        ":1: header field 'format'",
    ),
    "record-of-another-source": (
        _lines_file(lambda lines: _record(lines, 2, kind="ADUser")),
        ":3: unknown record kind 'ADUser'",
    ),
    "kind-not-a-string": (
        _lines_file(lambda lines: _record(lines, 2, kind=["VirtualMachine"])),
        ":3: unknown record kind",
    ),
    "trailer-count-mismatch": (
        _lines_file(lambda lines: _record(lines, len(lines) - 1, records=1)),
        "trailer announces 1 records",
    ),
    "trailer-invalid-field": (
        _lines_file(lambda lines: _record(lines, len(lines) - 1, complete="maybe")),
        "trailer field 'complete'",
    ),
    "deeply-nested-record": (
        _lines_file(
            lambda lines: [
                *lines[:2],
                lines[2][:-1] + ', "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
                *lines[3:],
            ]
        ),
        ":3:",
    ),
}


@pytest.mark.parametrize("case", list(SNAPSHOTS))
def test_malformed_snapshot_is_refused_and_nothing_loaded(
    neo4j_instance: Neo4jInstance, estate: tuple[Path, Path], tmp_path: Path, case: str
) -> None:
    good = estate[0]
    validate(good)
    make, expect = SNAPSHOTS[case]
    bad = make(good, tmp_path)
    line = _refused(
        neo4j_instance,
        "load",
        str(good),
        str(bad),
        expect=expect,
        subprocess=case in {"gzip-corrupt", "deeply-nested-record"},  # the real entry point
    )
    assert "snapshot refused, nothing loaded" in line and bad.name in line


# --- ownership files ------------------------------------------------------------------------


def _decision(instance: Neo4jInstance) -> str:
    rows = query(instance, "MATCH (d:Decision {status: 'active'}) RETURN d.id AS id ORDER BY id")
    return str(rows[0]["id"])


OWNERS: dict[str, tuple[str, str]] = {
    "bad-yaml": ("teams: [ {name: ops\ndecisions: [\n", "not YAML"),
    "tabs-and-garbage": ("\t- : : ]\n", "not YAML"),
    "top-level-list": ("- version: 1\n", "valid dictionary"),
    "empty": ("", "valid dictionary"),
    "version-2": ("version: 2\n", "version"),
    "teams-a-string": ("version: 1\nteams: ops\n", "teams"),
    "team-name-a-mapping": ("version: 1\nteams:\n  - name: {x: 1}\n", "teams.0.name"),
    "decision-id-a-number": (
        "version: 1\ndecisions:\n  - {id: 5, team: ops, status: assigned}\n",
        "decisions.0.id",
    ),
    "decision-listed-twice": (
        "version: 1\ndecisions:\n  - {id: DEC, team: ops, status: assigned}\n"
        "  - {id: DEC, team: ops, status: accepted}\n",
        "listed twice",
    ),
    "unknown-team": (
        "version: 1\ndecisions:\n  - {id: DEC, team: nobody-owns-this, status: assigned}\n",
        "unknown team(s): nobody-owns-this",
    ),
    "duplicate-keys": (
        "version: 1\ndecisions:\n  - id: DEC\n    team: nobody-owns-this\n    team: ops\n"
        "    status: assigned\n",
        "duplicate key 'team'",
    ),
    "python-tag": (
        "version: 1\nteams:\n  - !!python/object/apply:os.system ['touch MARKER']\n",
        "not YAML",
    ),
    "alias-bomb": (
        "version: 1\na: &a [x, x, x, x, x, x, x, x, x]\n"
        "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        "teams: *d\n",
        "error",
    ),
}


@pytest.mark.parametrize("case", list(OWNERS))
def test_malformed_owners_file_is_refused_and_nothing_imported(
    neo4j_instance: Neo4jInstance, estate: tuple[Path, Path], tmp_path: Path, case: str
) -> None:
    text, expect = OWNERS[case]
    marker = tmp_path / "MARKER"
    path = tmp_path / "owners.yaml"
    path.write_text(
        text.replace("DEC", _decision(neo4j_instance)).replace("MARKER", str(marker)),
        encoding="utf-8",
    )
    line = _refused(
        neo4j_instance,
        "owners",
        "import",
        str(path),
        expect=expect,
        subprocess=case in {"bad-yaml", "duplicate-keys"},  # the real entry point
    )
    assert "nothing imported" in line
    assert not marker.exists()


def test_owners_file_not_utf8_is_refused(
    neo4j_instance: Neo4jInstance, estate: tuple[Path, Path], tmp_path: Path
) -> None:
    path = tmp_path / "owners.yaml"
    path.write_bytes(b"version: 1\nteams:\n  - name: \xff\xfe\n")
    _refused(neo4j_instance, "owners", "import", str(path), expect="cannot read")
    _refused(neo4j_instance, "owners", "import", str(tmp_path / "absent.yaml"), expect="absent")


# --- runbooks -------------------------------------------------------------------------------


def test_runbook_directory_that_is_not_one_is_refused(
    neo4j_instance: Neo4jInstance, estate: tuple[Path, Path], tmp_path: Path
) -> None:
    afile = tmp_path / "runbook.md"
    afile.write_text("# a file, not a directory\n")
    _refused(neo4j_instance, "ingest", "runbooks", str(afile), expect="is not a directory")
    _refused(neo4j_instance, "ingest", "runbooks", str(tmp_path / "nope"), expect="nope")


BOMB = "\n".join(
    [
        "---",
        'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
        *(
            f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]"
            for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
        ),
        "translated: true",
        "target_platform: *i",
        "---",
        "# bomb",
        "",
    ]
)


def test_hostile_runbooks_are_read_leniently_and_safely(tmp_path: Path) -> None:
    """A runbook is free text: bad front matter does not refuse the collection, it just does
    not count as translated; an unreadable file is a gap. No YAML tag runs code, and a YAML
    alias bomb in the front matter is not expanded (9^9 strings: gigabytes if rendered)."""
    books = tmp_path / "books"
    books.mkdir()
    marker = tmp_path / "MARKER"
    files = {
        "bad-yaml.md": "---\ntranslated: [true\n---\n# Bad YAML\nuse vMotion\n",
        "list.md": "---\n- translated\n- true\n---\n# A list\n",
        "tag.md": f"---\ntranslated: !!python/object/apply:os.system ['touch {marker}']\n---\n",
        "unclosed.md": "---\ntranslated: true\n# never closed\n",
        "translated-string.md": "---\ntranslated: 'true'\ntarget_platform: [PVE]\n---\n# S\n",
        "bomb.md": BOMB,
    }
    for name, text in files.items():
        (books / name).write_text(text, encoding="utf-8")
    (books / "latin1.txt").write_bytes(b"caf\xe9 vCenter\n")
    records: list[Any] = []
    gaps: list[tuple[str | None, str]] = []
    count = collect_runbooks(
        books, "books", records.append, lambda what, why, entity: gaps.append((entity, why))
    )
    by_path = {r.path: r for r in records}
    assert count == len(files) == len(by_path)
    assert gaps == [("latin1.txt", "unreadable (UnicodeDecodeError)")]
    assert not marker.exists()
    for path, record in by_path.items():
        assert record.translated is (path == "bomb.md"), path
        assert record.target_platform is None, path
    assert by_path["bad-yaml.md"].vsphere_terms == ["vMotion"]
