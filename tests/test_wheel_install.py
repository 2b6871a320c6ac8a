"""Installing from a clone: the sdist and the wheel are built as ``pip install .`` and ``python -m
build`` build them (hatch_build.py runs npm for the viewer, which a clone does not hold), the
wheel installs into a fresh virtualenv with no Node on PATH, and its ``authmap serve`` serves the
viewer at ``/``. Without npm the build stops with one clear error line.

The "clone" is this working tree's files as git sees them (tracked, and new ones not ignored), so
the test tests the code under test, uncommitted changes included.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO, Neo4jInstance
from tests.support.service import serve

pytestmark = pytest.mark.slow


def _clone(dest: Path) -> Path:
    """Copy the files git would put in a clone (with uncommitted and new, unignored ones)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():  # a file deleted in the working tree is not in the clone
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


def _run(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=900, check=False, env=env
    )


def _no_node_path(tmp: Path) -> str:
    """A PATH holding only this interpreter (and git, for pip): no node, no npm."""
    bin_dir = tmp / "bin-without-node"
    bin_dir.mkdir()
    for tool in ("git",):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    return f"{Path(sys.executable).parent}:{bin_dir}"


def test_clone_builds_installs_without_node_and_serves_the_viewer(
    tmp_path: Path, neo4j_instance: Neo4jInstance
) -> None:
    clone = _clone(tmp_path / "clone")
    assert (clone / "frontend" / "package-lock.json").is_file()
    assert not (clone / "frontend" / "dist").exists()
    no_node = _no_node_path(tmp_path)

    # Without npm: one clear line, no wheel.
    wheel_cmd = (sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", tmp_path / "bare")
    bare = _run(*wheel_cmd, f"{clone}/", env={**os.environ, "PATH": no_node})
    assert bare.returncode != 0
    assert "building the viewer (frontend/dist is missing) needs Node.js and npm" in (
        bare.stdout + bare.stderr
    )
    assert not list(tmp_path.glob("bare/*.whl"))

    # The sdist, then the wheel built from it (pip install authmap-*.tar.gz does the same).
    out = tmp_path / "out"
    built = _run(sys.executable, "-m", "build", "--outdir", out, clone)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    (sdist,), (wheel,) = out.glob("authmap-*.tar.gz"), out.glob("authmap-*.whl")
    with tarfile.open(sdist) as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    needed = {"hatch_build.py", "frontend/package.json", "frontend/package-lock.json"}
    assert needed | {"frontend/build.mjs", "frontend/src/index.html"} <= names
    assert not [n for n in names if n.startswith(("frontend/node_modules", "frontend/dist"))]
    with zipfile.ZipFile(wheel) as archive:
        files = set(archive.namelist())
    assert {"app/_frontend/index.html", "app/_frontend/assets/app.js"} <= files
    assert any(n.startswith("app/_cypher/") for n in files)

    # A fresh virtualenv, no Node on PATH.
    venv = tmp_path / "venv"
    assert _run(sys.executable, "-m", "venv", venv).returncode == 0
    env = {"PATH": f"{venv / 'bin'}:{no_node}"}
    pip = (venv / "bin" / "python", "-m", "pip", "install", "-q", wheel)
    installed = _run(*pip, env={**os.environ, **env})
    assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-3000:]
    with serve(
        {**neo4j_instance.env, **env}, command=[str(venv / "bin" / "authmap")], cwd=tmp_path
    ) as service:
        page = httpx.get(f"{service.base}/", timeout=120)
        script = httpx.get(f"{service.base}/assets/app.js", timeout=120)
    assert page.status_code == 200 and "<title>authmap viewer</title>" in page.text
    assert script.status_code == 200 and len(script.content) > 10_000
