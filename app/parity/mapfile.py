"""The ``--map`` and ``--principal-map`` YAML files, validated whole.

``--map``::

    vms:                      # source VM name or id -> target namespace/name
      sql-01: prod/sql-01
    hosts:                    # source host name -> target node name
      esx-01.corp.example: worker-a
    storage_policies:         # source SPBM policy name -> target StorageClass name
      Gold: fast-ssd
    cpu_mhz_per_core: 2400    # compares MHz reservations and limits with CPU cores

``--principal-map``: see :mod:`app.parity.principals`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.parity.principals import PrincipalMap, Subject


class MapFileError(ValueError):
    """A map file that cannot be read or does not validate (one line)."""


class TargetMap(BaseModel):
    """The ``--map`` file."""

    model_config = ConfigDict(extra="forbid")

    vms: dict[str, str] = Field(default_factory=dict)
    hosts: dict[str, str] = Field(default_factory=dict)
    storage_policies: dict[str, Annotated[str, Field(min_length=1)]] = Field(default_factory=dict)
    """Source SPBM policy name -> target StorageClass name (app/parity/storage.py)."""
    cpu_mhz_per_core: float | None = Field(default=None, gt=0)


class _SubjectEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["User", "Group"]
    name: str = Field(min_length=1)


class _PrincipalFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prefixes: list[str] = Field(default_factory=list)
    principals: dict[str, str | _SubjectEntry] = Field(default_factory=dict)


def _load(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text()) or {}
    except OSError as exc:
        raise MapFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise MapFileError(f"{path} is not valid YAML: {str(exc).splitlines()[0]}") from None


def _invalid(path: Path, exc: ValidationError) -> MapFileError:
    first = exc.errors()[0]
    where = ".".join(map(str, first["loc"])) or "(top level)"
    return MapFileError(f"{path}: {where}: {first['msg']}")


def load_target_map(path: Path | None) -> TargetMap:
    """The ``--map`` file (empty without one)."""
    if path is None:
        return TargetMap()
    try:
        return TargetMap.model_validate(_load(path))
    except ValidationError as exc:
        raise _invalid(path, exc) from None


def load_principal_map(path: Path | None) -> PrincipalMap:
    """The ``--principal-map`` file (a bare name keeps the source principal's kind)."""
    if path is None:
        return PrincipalMap()
    try:
        data = _PrincipalFile.model_validate(_load(path))
    except ValidationError as exc:
        raise _invalid(path, exc) from None
    overrides: dict[str, Subject | str] = {
        principal: entry if isinstance(entry, str) else Subject(entry.kind, entry.name)
        for principal, entry in data.principals.items()
    }
    return PrincipalMap(tuple(data.prefixes), overrides)
