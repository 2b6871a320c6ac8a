"""How much memory the managed Neo4j gets: heap and page cache sized from the machine.

``authmap neo4j start`` without ``--heap`` / ``--pagecache`` (or with ``auto``) gives the
JVM a maximum heap of an eighth of the machine's memory and the page cache another eighth,
each within bounds (heap 512m-8g, page cache 256m-8g): a 24 GB machine gets 3g and 3g, a
4 GB laptop 512m and 512m. The heap starts small and grows only as needed, so an idle server
does not hold its maximum. One transaction may use at most half the heap
(``db.memory.transaction.max``), and all transactions together at most the server's own
default share of it: a query that needs more is stopped with an error, not the server.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

MIB = 1024 * 1024
HEAP_BOUNDS = (512 * MIB, 8192 * MIB)
PAGECACHE_BOUNDS = (256 * MIB, 8192 * MIB)
INITIAL_HEAP = 512 * MIB
SIZE = re.compile(r"^\s*(\d+)\s*([kKmMgG]?)\s*$")
AUTO = "auto"


class MemorySizeError(ValueError):
    """A size that is neither ``auto`` nor a number with an optional k/m/g suffix."""


@dataclass(frozen=True)
class MemoryPlan:
    """The sizes a start uses, in bytes."""

    heap_initial: int
    heap_max: int
    pagecache: int
    transaction_max: int

    def settings(self) -> dict[str, str]:
        """The ``neo4j.conf`` lines for these sizes."""
        return {
            "server.memory.heap.initial_size": render(self.heap_initial),
            "server.memory.heap.max_size": render(self.heap_max),
            "server.memory.pagecache.size": render(self.pagecache),
            "db.memory.transaction.max": render(self.transaction_max),
        }

    def jvm_flags(self) -> list[str]:
        """``-Xms`` / ``-Xmx`` for the JVM."""
        return [f"-Xms{render(self.heap_initial)}", f"-Xmx{render(self.heap_max)}"]


def parse_size(text: str) -> int:
    """Bytes of ``512m``, ``2g``, ``1048576k`` or a plain byte count."""
    found = SIZE.match(text)
    if not found:
        raise MemorySizeError(
            f"a memory size is a number with an optional k, m or g suffix (or auto), got {text!r}"
        )
    number, unit = int(found.group(1)), found.group(2).lower()
    return number * {"": 1, "k": 1024, "m": MIB, "g": 1024 * MIB}[unit]


def render(size: int) -> str:
    """``size`` bytes as Neo4j and the JVM read it (whole mebibytes: ``1536m``)."""
    return f"{max(1, size // MIB)}m"


def machine_memory() -> int:
    """Physical memory of this machine in bytes (4 GiB when it cannot be read)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return 4096 * MIB


def _share(total: int, bounds: tuple[int, int]) -> int:
    low, high = bounds
    return max(low, min(high, (total // 8) // (64 * MIB) * (64 * MIB)))


def plan_memory(heap: str = AUTO, pagecache: str = AUTO, total: int | None = None) -> MemoryPlan:
    """The sizes for ``--heap`` / ``--pagecache`` (``auto``: from ``total``, the machine's
    memory by default; see the module docstring)."""
    total = machine_memory() if total is None else total
    heap_max = _share(total, HEAP_BOUNDS) if heap.strip().lower() == AUTO else parse_size(heap)
    cache = pagecache.strip().lower()
    cache_size = _share(total, PAGECACHE_BOUNDS) if cache == AUTO else parse_size(pagecache)
    if heap_max < 128 * MIB:
        raise MemorySizeError(f"the heap must be at least 128m, got {render(heap_max)}")
    return MemoryPlan(
        heap_initial=min(INITIAL_HEAP, heap_max),
        heap_max=heap_max,
        pagecache=cache_size,
        transaction_max=heap_max // 2,
    )
