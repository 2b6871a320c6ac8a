"""The code's shape (issue 16): no module in ``app/`` or ``ingest/`` over
:data:`MAX_MODULE_LINES` lines, no function over :data:`MAX_FUNCTION_LINES`, and the collector
contract (``Sink``, ``GapSink``, ``SourceIdentity``, ``Collector``) defined only in
``app/records/contract.py``. Read with ``ast``; nothing is imported."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import REPO

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
CONTRACT = Path("app/records/contract.py")
CONTRACT_NAMES = frozenset({"Sink", "GapSink", "SourceIdentity", "Collector"})
SIZED = ("app", "ingest")
"""The packages the size rules hold for."""
CHECKED = ("app", "ingest", "bench", "demo", "tests")
"""Where the contract may not be redefined."""


def _modules(*packages: str) -> Iterator[tuple[Path, ast.Module]]:
    for package in packages:
        for path in sorted((REPO / package).rglob("*.py")):
            if "node_modules" in path.parts:
                continue
            yield path.relative_to(REPO), ast.parse(path.read_text(encoding="utf-8"))


def test_no_module_is_too_long() -> None:
    long = {
        str(path): lines
        for path, _ in _modules(*SIZED)
        if (lines := len((REPO / path).read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}, f"modules over {MAX_MODULE_LINES} lines"


def test_no_function_is_too_long() -> None:
    long: dict[str, int] = {}
    for path, tree in _modules(*SIZED):
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long[f"{path}:{node.lineno} {node.name}"] = lines
    assert long == {}, f"functions over {MAX_FUNCTION_LINES} lines"


def _defined_names(tree: ast.Module) -> Iterator[tuple[str, int]]:
    """Names a module binds at any level: classes, functions, assignments."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            yield node.name, node.lineno
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    yield target.id, node.lineno
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            yield node.target.id, node.lineno


def test_the_collector_contract_is_defined_once() -> None:
    found: dict[str, list[str]] = {}
    for path, tree in _modules(*CHECKED):
        for name, line in _defined_names(tree):
            if name in CONTRACT_NAMES:
                found.setdefault(name, []).append(f"{path}:{line}")
    assert found == {name: [f"{CONTRACT}:{line}"] for name, line in _contract_lines().items()}


def _contract_lines() -> dict[str, int]:
    tree = ast.parse((REPO / CONTRACT).read_text(encoding="utf-8"))
    return {name: line for name, line in _defined_names(tree) if name in CONTRACT_NAMES}
