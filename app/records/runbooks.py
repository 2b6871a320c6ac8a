"""Records of runbooks (Markdown or text files) read from a directory."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from app.records.base import Record


class RunbookRecord(Record):
    """One runbook: where it is, what it says, and the vSphere-only vocabulary in it."""

    source_kind: ClassVar[str] = "runbooks"

    kind: Literal["Runbook"] = "Runbook"
    name: str
    path: str
    sha256: str
    translated: bool = False
    target_platform: str | None = None
    vsphere_terms: list[str] = Field(default_factory=list)
    text: str = Field(max_length=2_000_000)
