"""Every shell example in README.md and docs/*.md runs against the demo estate (the demo of
``make demo``, loaded into the session's Neo4j, with ``authmap serve`` for the API examples), or
says on the line before it why it cannot (``<!-- example: not-runnable (reason) -->``).

How they run (also in docs/README.md): each file's runnable examples in order, in one bash
session, in an empty directory whose ``demo`` is the repository's, with ``HOME`` a fresh
directory (so ``~/.authmap-token`` is the test's) and ``authmap`` on the PATH. Each command
must exit 0 (``authmap audit`` may exit 1: findings); ``curl`` fails on an HTTP error;
``http://127.0.0.1:8000`` is the test's own ``authmap serve``. New docs files are picked up
by the glob.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.graph import Graph
from tests.conftest import REPO, Neo4jInstance
from tests.support.doc_examples import Example, examples
from tests.support.service import Service, serve

# Loading the demo and starting the service take minutes on a busy machine (not a speed check).
pytestmark = pytest.mark.timeout(1800)

DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
DOC_PORT = "http://127.0.0.1:8000"


def _ids(paths: list[Path]) -> list[str]:
    return [str(p.relative_to(REPO)) for p in paths]


def test_every_shell_example_runs_or_says_why_not() -> None:
    problems = []
    for path in DOCS:
        found, markers = examples(path)
        marked = [e for e in found if e.reason is not None]
        if markers != len(marked):
            problems.append(
                f"{path.relative_to(REPO)}: a not-runnable marker is not right before a shell block"
            )
        problems += [f"{e.where}: not-runnable needs a reason" for e in marked if not e.reason]
        problems += [f"{e.where}: no command" for e in found if e.reason is None and not e.commands]
    assert problems == []
    assert any(e.reason is None for p in DOCS for e in examples(p)[0])


def test_the_parser_reads_sh_console_continuations_and_markers(tmp_path: Path) -> None:
    doc = tmp_path / "x.md"
    doc.write_text(
        "text\n\n```sh\n# a comment\nauthmap a \\\n  --b c   # and a comment\nauthmap d\n```\n\n"
        "<!-- example: not-runnable (needs a live vCenter) -->\n"
        "```sh\nauthmap ingest vcenter\n```\n"
        "```console\n$ authmap e\n output\n```\n```\nnot a shell block\n```\n"
    )
    (first, second, third), markers = examples(doc)
    assert markers == 1
    assert [c for _, c in first.commands] == [
        "authmap a \\\n  --b c   # and a comment",
        "authmap d",
    ]
    assert first.commands[0][0] == 5 and first.reason is None
    assert second.reason == "needs a live vCenter"
    assert [c for _, c in third.commands] == ["authmap e"]


@pytest.fixture(scope="module")
def demo_estate(
    neo4j_instance: Neo4jInstance, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Neo4jInstance, Service, Path]]:
    """The demo loaded into an emptied graph, a running ``authmap serve``, and a home."""
    with Graph(neo4j_instance.settings()) as graph:
        graph.write_chunked("admin/wipe", {})
        graph.apply_schema()
    subprocess.run(
        [sys.executable, "-m", "demo.load", "--quiet"],
        env={**os.environ, **neo4j_instance.env},
        cwd=REPO,
        check=True,
        capture_output=True,
        timeout=900,
    )
    home = tmp_path_factory.mktemp("docs-home")
    with serve(neo4j_instance.env) as service:
        yield neo4j_instance, service, home


def _script(runnable: list[Example], base: str) -> str:
    lines = [
        "set -o pipefail",
        'curl() { command curl --fail-with-body "$@"; }',
    ]
    for example in runnable:
        for line, command in example.commands:
            where = shlex.quote(f"{example.where} (line {line})")
            text = command.replace(DOC_PORT, base)
            allowed = "1" if command.startswith("authmap audit") else "0"
            lines += [
                f"echo '>>> '{where} >&2",
                text,
                f"rc=$?; if [ $rc -ne 0 ] && [ $rc -ne {allowed} ]; then "
                f'echo "FAILED: exit $rc at "{where} >&2; exit 100; fi',
            ]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("path", DOCS, ids=_ids(DOCS))
def test_examples_run_on_the_demo(
    path: Path, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    runnable = [e for e in examples(path)[0] if e.reason is None]
    if not runnable:
        assert all(e.reason for e in examples(path)[0])  # nothing to run here: all say why
        return
    instance, service, home = request.getfixturevalue("demo_estate")
    (tmp_path / "demo").symlink_to(REPO / "demo")
    env = {
        **os.environ,
        **instance.env,
        "HOME": str(home),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    proc = subprocess.run(
        ["bash", "-c", _script(runnable, service.base)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-6000:] + "\n--- stdout ---\n" + proc.stdout[-3000:]
