"""Obtaining the server jars: the cache, an official distribution directory, verification."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.config import Settings
from app.localneo4j.distribution import (
    SERVER_JAR,
    DistributionError,
    cached_lib_dir,
    ensure_distribution,
    verify_lib,
)
from tests.conftest import Neo4jInstance


def test_official_directory_fills_a_new_cache(
    neo4j_instance: Neo4jInstance, tmp_path: Path
) -> None:
    cached = cached_lib_dir(Settings().cache)  # filled by the session's `authmap neo4j start`
    verify_lib(cached, deep=True)
    official = tmp_path / "neo4j-community-5.26.30"
    shutil.copytree(cached, official / "lib", ignore=shutil.ignore_patterns("*.json"))
    new_cache = tmp_path / "cache"
    lib = ensure_distribution(new_cache, official)
    assert lib == cached_lib_dir(new_cache)
    assert (lib / SERVER_JAR).is_file()
    verify_lib(lib, deep=True)
    assert "official distribution" in (lib / "authmap-manifest.json").read_text()
    # A damaged jar is detected by a deep check; a missing one by any check, and refilled.
    (lib / SERVER_JAR).write_bytes(b"tampered")
    with pytest.raises(DistributionError, match="does not match"):
        verify_lib(lib, deep=True)
    (lib / SERVER_JAR).unlink()
    with pytest.raises(DistributionError, match="missing"):
        verify_lib(lib)
    assert ensure_distribution(new_cache, official) == lib
    verify_lib(lib, deep=True)


def test_not_a_distribution_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(DistributionError, match="is not a Neo4j"):
        ensure_distribution(tmp_path / "cache", tmp_path / "empty")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(DistributionError, match="neither a directory nor a tar"):
        ensure_distribution(tmp_path / "cache", tmp_path / "notes.txt")
    assert not list((tmp_path / "cache" / "neo4j").rglob("*.jar"))


def test_generated_passwords_never_look_like_options() -> None:
    from app.localneo4j.server import generate_password

    passwords = {generate_password() for _ in range(2000)}
    assert len(passwords) == 2000
    assert all(p[0].isalpha() and len(p) >= 25 for p in passwords)
