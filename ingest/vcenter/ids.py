"""Record ids of one vCenter's objects."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class Ids:
    """Record ids of one vCenter: ``<instanceUuid>:<moref>``."""

    def __init__(self, instance_uuid: str) -> None:
        self.vc = instance_uuid

    def of(self, obj: Any) -> str | None:
        """The id of a managed object reference (``None`` for ``None``)."""
        return f"{self.vc}:{obj._moId}" if obj is not None else None

    def many(self, objs: Iterable[Any] | None) -> list[str]:
        """Ids of several references."""
        return [f"{self.vc}:{o._moId}" for o in objs or []]


def text(value: Any) -> str | None:
    """``str(value)``, keeping ``None``."""
    return str(value) if value is not None else None
