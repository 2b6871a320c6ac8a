"""Which process runs a sync run, and marking the runs whose process is gone.

A ``SyncRun`` records the host and the process that started it (``host``, ``process``: the
boot id, pid and start time of the process, so a reused pid or a reboot is not taken for the
same process). A run still ``running`` whose process no longer exists on this host was killed
(Ctrl-C twice, ``kill -9``, a crash, a reboot): :func:`mark_abandoned_runs` records it as
``failed`` with the reason. It runs at the start of every load and in ``authmap db stats``.
Runs started on another host are left alone (their processes cannot be seen from here).
"""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime
from pathlib import Path

from app.graph.client import Graph

ABANDONED = "the process that ran this sync ({process}) is gone: it was killed or crashed"


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return "unknown-boot"


def _started(pid: int) -> str | None:
    """The start time of process ``pid`` in clock ticks since boot (None: no such process)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[-1].split()[19]


def process_identity(pid: int | None = None) -> str:
    """``boot-id:pid:start`` of a process (this one by default)."""
    pid = os.getpid() if pid is None else pid
    return f"{_boot_id()}:{pid}:{_started(pid) or '?'}"


def process_alive(identity: str) -> bool:
    """Whether the process of ``identity`` still runs on this machine."""
    boot, _, rest = identity.partition(":")
    pid_text, _, start = rest.partition(":")
    if boot != _boot_id() or not pid_text.isdigit():
        return False
    return _started(int(pid_text)) == start


def host_name() -> str:
    """This machine's host name, as recorded on sync runs."""
    return socket.gethostname()


def mark_abandoned_runs(graph: Graph) -> list[str]:
    """Mark as failed every ``running`` run of this host whose process is gone; return their
    ids."""
    marked = []
    for row in graph.read("sync/running_here", {"host": host_name()}):
        process = str(row["process"] or "")
        if process and not process_alive(process):
            graph.write(
                "sync/mark_abandoned",
                {
                    "id": row["id"],
                    "finished_at": datetime.now(UTC).isoformat(),
                    "error": ABANDONED.format(process=process.split(":", 1)[-1]),
                },
            )
            marked.append(str(row["id"]))
    return marked
