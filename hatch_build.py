"""Hatch build hook: put the built viewer (``frontend/dist``) into the wheel as ``app/_frontend``.

``pip install .`` from a clone, or of the sdist, builds the wheel here. When ``frontend/dist``
is missing (a fresh clone, an sdist), the hook builds it with npm (``npm ci`` then ``npm run
build`` in ``frontend/``, npm's cache under ``~/.cache/authmap/npm``), so Node.js and npm are
needed to build from source, but never to install a built wheel. Editable installs (``make
install``) serve the viewer from ``frontend/dist`` in the checkout and skip all this.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

NO_NPM = (
    "authmap: building the viewer (frontend/dist is missing) needs Node.js and npm, which "
    "are not on PATH: install them (e.g. `apt-get install npm`) and retry, or install a "
    "built authmap wheel, which needs no Node."
)


def npm_cache() -> Path:
    """npm's download cache: ``$AUTHMAP_CACHE/npm`` or ``~/.cache/authmap/npm``."""
    base = os.environ.get("AUTHMAP_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "authmap"
    )
    return Path(base) / "npm"


def build_viewer(frontend: Path) -> None:
    """``npm ci`` and ``npm run build`` in ``frontend``; one clear error line if npm is absent
    or a step fails (its output above it)."""
    npm = shutil.which("npm")
    if npm is None:
        sys.stderr.write(f"error: {NO_NPM}\n")
        raise SystemExit(1)
    steps = (
        [npm, "ci", "--cache", str(npm_cache()), "--no-audit", "--no-fund", "--loglevel=error"],
        [npm, "run", "build", "--silent"],
    )
    for step in steps:
        proc = subprocess.run(step, cwd=frontend, check=False)
        if proc.returncode != 0:
            sys.stderr.write(
                f"error: authmap: `npm {step[1]}` in {frontend} failed (exit {proc.returncode})\n"
            )
            raise SystemExit(1)


class ViewerBuildHook(BuildHookInterface):
    """Builds ``frontend/dist`` if needed and force-includes it in a (non-editable) wheel."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Called by hatchling before a target is built."""
        if self.target_name != "wheel" or version == "editable":
            return
        frontend = Path(self.root) / "frontend"
        dist = frontend / "dist"
        if not (dist / "index.html").is_file():
            build_viewer(frontend)
        build_data["force_include"][str(dist)] = "app/_frontend"
