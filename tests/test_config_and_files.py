"""Settings precedence, generated Cypher in sync with the model, deployment files."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from app.config import Settings
from app.graph import codegen
from app.graph.cypher_files import CypherLibrary, cypher_dir, split_statements

REPO = Path(__file__).resolve().parents[1]


def test_environment_beats_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        'neo4j_uri = "neo4j+s://from-file.example:7687"\nbatch_size = 123\n'
        'neo4j_database = "filedb"\n'
    )
    monkeypatch.setenv("AUTHMAP_CONFIG", str(config))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.delenv("NEO4J_DATABASE", raising=False)
    from_file = Settings()
    assert from_file.neo4j_uri == "neo4j+s://from-file.example:7687"
    assert from_file.batch_size == 123
    monkeypatch.setenv("NEO4J_URI", "bolt://from-env:7687")
    monkeypatch.setenv("NEO4J_PASSWORD", "hunter2")
    from_env = Settings()
    assert from_env.neo4j_uri == "bolt://from-env:7687"
    assert from_env.neo4j_database == "filedb"
    assert "hunter2" not in repr(from_env) and "hunter2" not in str(from_env.model_dump())


def test_plain_home_and_cache_variables_are_not_authmap_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """$HOME and $CACHE are not $AUTHMAP_HOME and $AUTHMAP_CACHE (environment names match
    case-insensitively, so a lower-case alias `home` used to pick up $HOME); the config
    file still takes the field names."""
    monkeypatch.setenv("AUTHMAP_CONFIG", str(tmp_path / "none.toml"))
    for name in ("AUTHMAP_HOME", "AUTHMAP_CACHE", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    monkeypatch.setenv("CACHE", str(tmp_path / "elsewhere"))
    found = Settings()
    assert found.home == tmp_path / "user" / ".local" / "share" / "authmap"
    assert found.cache == tmp_path / "user" / ".cache" / "authmap"
    config = tmp_path / "config.toml"
    config.write_text(f'home = "{tmp_path / "data"}"\nretry_seconds = 7\n')
    monkeypatch.setenv("AUTHMAP_CONFIG", str(config))
    from_file = Settings()
    assert from_file.home == tmp_path / "data"
    assert from_file.retry_seconds == 7
    monkeypatch.setenv("AUTHMAP_HOME", str(tmp_path / "env"))
    assert Settings().home == tmp_path / "env"


def test_bad_uri_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AUTHMAP_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("NEO4J_URI", "http://nope:7474")
    with pytest.raises(ValueError, match="NEO4J_URI must start with"):
        Settings()


def test_generated_cypher_matches_the_model() -> None:
    root = cypher_dir()
    for rel_path, text in codegen.generated_files().items():
        assert (root / rel_path).read_text() == text, f"run `authmap dev codegen` ({rel_path})"
    generated = set(codegen.generated_files())
    for sub in ("load", "cleanup"):
        for path in (root / sub).rglob("*.cypher"):
            assert str(path.relative_to(root)) in generated, f"{path} is not in the model"


def test_every_cypher_file_is_parameterised_text() -> None:
    library = CypherLibrary()
    names = library.names()
    assert "schema" in names and "load/nodes/VirtualMachine" in names
    for name in names:
        text = library.text(name)
        assert not re.search(r"\{\{|%s|\{\d+\}", text), f"{name} looks like a template"
        assert library.statements(name), name


def test_split_statements_ignores_comment_only_parts() -> None:
    text = "// header\nMATCH (n) RETURN n;\n// between\nRETURN 1;\n// trailing comment\n"
    assert split_statements(text) == ["// header\nMATCH (n) RETURN n", "// between\nRETURN 1"]


def test_docker_compose_is_valid() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    neo4j = compose["services"]["neo4j"]
    assert neo4j["image"] == "neo4j:5.26-community"
    assert "healthcheck" in neo4j and any("/data" in v for v in neo4j["volumes"])
    service = compose["services"]["authmap"]
    assert service["environment"]["NEO4J_URI"] == "bolt://neo4j:7687"
    assert service["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert (REPO / service["build"]["context"] / "Dockerfile").is_file()
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    ):
        proc = subprocess.run(
            [docker, "compose", "-f", str(REPO / "docker-compose.yml"), "config", "--quiet"],
            capture_output=True,
            text=True,
            env={"NEO4J_PASSWORD": "x", "PATH": "/usr/bin:/bin"},
        )
        assert proc.returncode == 0, proc.stderr
