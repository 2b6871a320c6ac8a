"""Finding a Java runtime that fits the pinned Neo4j (5.26 LTS runs on Java 17 or 21)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

SUPPORTED_MAJORS = (17, 21)


class JavaError(RuntimeError):
    """No suitable Java runtime was found."""


@dataclass(frozen=True)
class JavaRuntime:
    """A Java executable and its major version."""

    executable: Path
    major: int


def java_major(executable: Path) -> int:
    """The major version a ``java`` executable reports (``java -version``)."""
    proc = subprocess.run(
        [str(executable), "-version"], capture_output=True, text=True, check=False, timeout=60
    )
    match = re.search(r'version "(\d+)(?:\.(\d+))?', proc.stderr + proc.stdout)
    if not match:
        raise JavaError(f"could not read the version of {executable}")
    major = int(match.group(1))
    return int(match.group(2)) if major == 1 and match.group(2) else major


def _candidates() -> list[Path]:
    found: list[Path] = []
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        found.append(Path(java_home) / "bin" / "java")
    on_path = shutil.which("java")
    if on_path:
        found.append(Path(on_path))
    jvm_root = Path("/usr/lib/jvm")
    if jvm_root.is_dir():
        found.extend(sorted(jvm_root.glob("*/bin/java")))
    return found


def find_java() -> JavaRuntime:
    """``$JAVA_HOME``, else ``java`` on the PATH, else a JDK under /usr/lib/jvm, whichever is
    first to have a supported major version. Raises :class:`JavaError` saying what to install."""
    seen: list[str] = []
    for candidate in _candidates():
        if not candidate.is_file():
            continue
        try:
            major = java_major(candidate)
        except (JavaError, OSError, subprocess.TimeoutExpired):
            continue
        if major in SUPPORTED_MAJORS:
            return JavaRuntime(candidate, major)
        seen.append(f"{candidate} (Java {major})")
    found = f" Found: {', '.join(seen)}." if seen else " No Java was found."
    raise JavaError(
        "Neo4j 5.26 needs Java 17 or 21." + found + " Install one (Debian/Ubuntu: "
        "apt-get install openjdk-17-jre-headless) and/or set JAVA_HOME to it."
    )
