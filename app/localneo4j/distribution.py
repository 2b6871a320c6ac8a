"""Obtaining the Neo4j Community server: the pinned version, resolved once into a cache.

Two sources, both giving the official server's ``lib/`` directory:

* Maven Central (default where ``mvn`` is installed): the dependency set of
  ``org.neo4j.assembly:neo4j-community-standalone`` is the distribution's ``lib/``. Maven checks
  every artifact's published checksum (``--strict-checksums``).
* An official distribution you downloaded yourself (``--distribution PATH``: the
  ``neo4j-community-<version>-unix.tar.gz`` tarball or its extracted directory).

The result is cached under ``$AUTHMAP_CACHE/neo4j/<version>/lib`` with a manifest of SHA-256
digests, so later starts need no network and a damaged cache is detected.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tarfile
import tempfile
from importlib import resources
from pathlib import Path

NEO4J_VERSION = "5.26.30"
"""The pinned Neo4j Community LTS release."""

SERVER_JAR = f"neo4j-server-{NEO4J_VERSION}.jar"
MANIFEST = "authmap-manifest.json"


class DistributionError(RuntimeError):
    """The server jars could not be obtained or failed verification."""


def cached_lib_dir(cache: Path) -> Path:
    """Where the server's ``lib/`` lives in the cache for the pinned version."""
    return cache / "neo4j" / NEO4J_VERSION / "lib"


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            sha.update(chunk)
    return sha.hexdigest()


def _write_manifest(lib: Path, origin: str) -> None:
    jars = {p.name: _digest(p) for p in sorted(lib.glob("*.jar"))}
    manifest = {"version": NEO4J_VERSION, "origin": origin, "sha256": jars}
    (lib / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))


def verify_lib(lib: Path, *, deep: bool = False) -> None:
    """Check a cached ``lib/``: manifest present, every jar listed there present (and, with
    ``deep``, unchanged). Raises :class:`DistributionError` naming what is wrong."""
    manifest_path = lib / MANIFEST
    if not manifest_path.is_file():
        raise DistributionError(f"{lib} has no {MANIFEST}: the cache is incomplete")
    manifest = json.loads(manifest_path.read_text())
    if manifest.get("version") != NEO4J_VERSION:
        raise DistributionError(f"{lib} holds Neo4j {manifest.get('version')}, not {NEO4J_VERSION}")
    for name, digest in manifest["sha256"].items():
        jar = lib / name
        if not jar.is_file():
            raise DistributionError(f"{jar} is missing from the cache")
        if deep and _digest(jar) != digest:
            raise DistributionError(f"{jar} does not match its recorded SHA-256")
    if SERVER_JAR not in manifest["sha256"]:
        raise DistributionError(f"{lib} lacks {SERVER_JAR}")


def _from_maven(target: Path) -> None:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise DistributionError(
            "Neo4j server jars are not cached and Maven (mvn) is not installed. Either install "
            "Maven (apt-get install maven), or download the official Neo4j Community "
            f"{NEO4J_VERSION} tarball (neo4j-community-{NEO4J_VERSION}-unix.tar.gz) and run "
            "`authmap neo4j start --distribution PATH`, or point NEO4J_URI at an existing server."
        )
    pom = resources.files("app.localneo4j").joinpath("pom.xml").read_text()
    with tempfile.TemporaryDirectory(prefix="authmap-mvn-") as work:
        pom_path = Path(work) / "pom.xml"
        pom_path.write_text(pom.replace("@NEO4J_VERSION@", NEO4J_VERSION))
        cmd = [
            mvn,
            "-B",
            "-q",
            "--strict-checksums",
            "-f",
            str(pom_path),
            "dependency:copy-dependencies",
            "-DincludeScope=runtime",
            f"-DoutputDirectory={target}",
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            tail = (proc.stdout + proc.stderr).strip().splitlines()[-15:]
            raise DistributionError(
                "Maven could not resolve the Neo4j server jars:\n" + "\n".join(tail)
            )


def _from_official(source: Path, target: Path) -> None:
    if source.is_dir():
        lib = source / "lib"
        if not (lib / SERVER_JAR).is_file():
            raise DistributionError(
                f"{source} is not a Neo4j {NEO4J_VERSION} directory (no lib/{SERVER_JAR})"
            )
        target.mkdir(parents=True, exist_ok=True)
        for jar in lib.glob("*.jar"):
            shutil.copy2(jar, target / jar.name)
        return
    if not tarfile.is_tarfile(source):
        raise DistributionError(f"{source} is neither a directory nor a tar archive")
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source) as archive:
        members = [
            m
            for m in archive.getmembers()
            if m.isfile() and "/lib/" in m.name and m.name.endswith(".jar")
        ]
        if not any(m.name.endswith("/lib/" + SERVER_JAR) for m in members):
            raise DistributionError(f"{source} is not a Neo4j {NEO4J_VERSION} tarball")
        for member in members:
            handle = archive.extractfile(member)
            if handle is None:
                continue
            (target / Path(member.name).name).write_bytes(handle.read())


def ensure_distribution(cache: Path, distribution: Path | None = None) -> Path:
    """Return the cached ``lib/`` of the pinned server, obtaining it first if needed.

    The cache is filled atomically (a temporary directory renamed into place), so an
    interrupted download never leaves a half-filled ``lib/`` that looks complete.
    """
    lib = cached_lib_dir(cache)
    if lib.is_dir():
        try:
            verify_lib(lib)
            return lib
        except DistributionError:
            shutil.rmtree(lib)
    lib.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="lib-", dir=lib.parent))
    try:
        if distribution is not None:
            _from_official(distribution.expanduser(), staging)
            origin = f"official distribution {distribution.name}"
        else:
            _from_maven(staging)
            origin = "Maven Central (org.neo4j.assembly:neo4j-community-standalone)"
        if not (staging / SERVER_JAR).is_file():
            raise DistributionError(f"the resolved jars lack {SERVER_JAR}")
        _write_manifest(staging, origin)
        staging.rename(lib)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return lib
