"""The record base class and the registry of record kinds."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

RECORD_TYPES: dict[str, type[Record]] = {}
"""Every record class by its ``kind``."""


class Record(BaseModel):
    """One source object. Subclasses set ``kind: Literal["Name"] = "Name"`` and ``source_kind``."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)

    source_kind: ClassVar[str] = ""
    """The source this record comes from: ``vcenter``, ``ad``, ``nsx``..."""

    kind: str
    id: str = Field(min_length=1, max_length=1024)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        default = cls.model_fields["kind"].default
        if isinstance(default, str) and default:
            if default in RECORD_TYPES and RECORD_TYPES[default] is not cls:
                raise TypeError(f"record kind {default!r} is defined twice")
            RECORD_TYPES[default] = cls


def record_type(kind: str) -> type[Record]:
    """The record class of a kind (``KeyError`` if unknown)."""
    return RECORD_TYPES[kind]
