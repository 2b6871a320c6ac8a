"""Run a command and measure its own wall time and peak resident memory."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Mapping, Sequence


def run_measured(cmd: Sequence[str], env: Mapping[str, str]) -> tuple[float, float]:
    """Run ``cmd`` to completion; return (seconds, peak RSS in MB) of that process alone.

    ``os.wait4`` reports the child's own rusage, unlike ``RUSAGE_CHILDREN``, which keeps the
    maximum over every child this process ever waited for.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(cmd), env=dict(env), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise RuntimeError(f"{cmd[:4]} failed: {stderr[-2000:]}")
    return seconds, usage.ru_maxrss / 1024
