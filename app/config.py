"""Settings: one typed model, read from the environment and an optional TOML file.

Precedence (highest first): explicit arguments, environment variables, the config file
(``$AUTHMAP_CONFIG`` or ``$AUTHMAP_HOME/config.toml``), defaults. When ``NEO4J_URI`` is not
set anywhere, commands use the local Neo4j managed by ``authmap neo4j start``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


def default_home() -> Path:
    """The per-user data directory: ``$XDG_DATA_HOME/authmap`` (``~/.local/share/authmap``)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "authmap"


def default_cache() -> Path:
    """The per-user download cache: ``$XDG_CACHE_HOME/authmap`` (``~/.cache/authmap``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "authmap"


def home_dir() -> Path:
    """``$AUTHMAP_HOME`` if set, else :func:`default_home`."""
    value = os.environ.get("AUTHMAP_HOME")
    return Path(value).expanduser() if value else default_home()


def config_file() -> Path:
    """The TOML config file: ``$AUTHMAP_CONFIG`` or ``$AUTHMAP_HOME/config.toml``."""
    value = os.environ.get("AUTHMAP_CONFIG")
    return Path(value).expanduser() if value else home_dir() / "config.toml"


class Settings(BaseSettings):
    """Everything authmap can be configured with. Secrets are ``SecretStr``: never printed."""

    # Environment names are matched exactly (upper case): case-insensitive matching let the
    # field name ``home`` pick up $HOME. The config file uses the field names.
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True, case_sensitive=True)

    home: Path = Field(
        default_factory=home_dir,
        validation_alias=AliasChoices("AUTHMAP_HOME"),
        description="Data directory (managed Neo4j, state).",
    )
    cache: Path = Field(
        default_factory=default_cache,
        validation_alias=AliasChoices("AUTHMAP_CACHE"),
        description="Download cache (Neo4j server jars, tool binaries).",
    )
    neo4j_uri: str | None = Field(
        default=None,
        validation_alias=AliasChoices("NEO4J_URI"),
        description="Bolt or neo4j URI of an existing server; unset means the managed local one.",
    )
    neo4j_user: str = Field(
        default="neo4j",
        validation_alias=AliasChoices("NEO4J_USER", "NEO4J_USERNAME"),
        description="Neo4j user.",
    )
    neo4j_password: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("NEO4J_PASSWORD"),
        description="Neo4j password (never printed).",
    )
    neo4j_database: str = Field(
        default="neo4j",
        validation_alias=AliasChoices("NEO4J_DATABASE"),
        description="Neo4j database name.",
    )
    batch_size: int = Field(
        default=5000,
        ge=1,
        le=100_000,
        validation_alias=AliasChoices("AUTHMAP_BATCH_SIZE"),
        description="Rows per batched write transaction.",
    )
    retry_seconds: float = Field(
        default=60.0,
        gt=0,
        validation_alias=AliasChoices("AUTHMAP_RETRY_SECONDS"),
        description="How long a write is retried on transient Neo4j errors.",
    )

    api_console_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        le=600,
        validation_alias=AliasChoices("AUTHMAP_API_CONSOLE_TIMEOUT_SECONDS"),
        description="Server-side transaction timeout of the API's read-only Cypher console.",
    )
    api_console_row_cap: int = Field(
        default=1000,
        ge=1,
        le=100_000,
        validation_alias=AliasChoices("AUTHMAP_API_CONSOLE_ROW_CAP"),
        description="Rows the Cypher console returns at most (the answer says truncated).",
    )
    api_console_concurrency: int = Field(
        default=4,
        ge=1,
        le=64,
        validation_alias=AliasChoices("AUTHMAP_API_CONSOLE_CONCURRENCY"),
        description="Console queries the service runs at once over all callers (more: HTTP 429).",
    )
    api_console_concurrency_per_token: int = Field(
        default=2,
        ge=1,
        le=64,
        validation_alias=AliasChoices("AUTHMAP_API_CONSOLE_CONCURRENCY_PER_TOKEN"),
        description="Console queries one token runs at once (more: HTTP 429).",
    )
    api_neo4j_timeout_seconds: float = Field(
        default=2.0,
        gt=0,
        le=60,
        validation_alias=AliasChoices("AUTHMAP_API_NEO4J_TIMEOUT_SECONDS"),
        description="How long an API request waits to connect to Neo4j (or for a free "
        "connection) before answering 503; API requests are not retried (ingests are).",
    )
    api_health_interval_seconds: float = Field(
        default=2.0,
        gt=0,
        le=300,
        validation_alias=AliasChoices("AUTHMAP_API_HEALTH_INTERVAL_SECONDS"),
        description="Seconds between two background probes of Neo4j; /api/health answers "
        "from the last probe at once.",
    )
    api_allowed_hosts: list[str] = Field(
        default_factory=list,
        validation_alias=AliasChoices("AUTHMAP_API_ALLOWED_HOSTS"),
        description="Host names the open service (no API token yet) answers besides localhost "
        'and IP addresses, e.g. ["authmap.internal"] (JSON in the environment).',
    )
    api_max_body_bytes: int = Field(
        default=1_048_576,
        ge=1024,
        validation_alias=AliasChoices("AUTHMAP_API_MAX_BODY_BYTES"),
        description="Largest request body the API accepts (larger: HTTP 413).",
    )

    ad_domain_aliases: dict[str, str] = Field(
        default_factory=dict,
        validation_alias=AliasChoices("AUTHMAP_AD_DOMAIN_ALIASES"),
        description="Extra names vCenter uses for a directory domain, e.g. an identity-source "
        'alias: {"CORPAD": "CORP"} (JSON in the environment, a table in the config file).',
    )

    @field_validator("ad_domain_aliases")
    @classmethod
    def _upper_aliases(cls, value: dict[str, str]) -> dict[str, str]:
        return {k.upper(): v.upper() for k, v in value.items()}

    @field_validator("neo4j_uri")
    @classmethod
    def _check_uri(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        schemes = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")
        scheme = value.split("://", 1)[0] if "://" in value else ""
        if scheme not in schemes:
            raise ValueError(
                f"NEO4J_URI must start with one of {', '.join(s + '://' for s in schemes)}"
            )
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments, then environment, then the TOML config file."""
        toml = TomlConfigSettingsSource(settings_cls, toml_file=config_file())
        return (init_settings, env_settings, toml)


def load_settings(**overrides: Any) -> Settings:
    """Read the settings (environment and config file), with explicit overrides on top."""
    return Settings(**overrides)
