"""Run the real ``authmap serve`` for a test, on a free port."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import httpx

from tests.conftest import REPO, free_port


@contextmanager
def running_service(env: Mapping[str, str], timeout: float = 60) -> Iterator[str]:
    """Start ``authmap serve`` with ``env``; yield its base URL once /api/health answers.

    On exit the service is stopped, and a traceback on its stderr fails the test.
    """
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port)],
        env={**os.environ, **env},
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout  # start-up only: not an assertion on speed
        while True:
            assert proc.poll() is None, "authmap serve exited during start-up"
            try:
                if httpx.get(f"{base}/api/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "authmap serve did not come up"
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        _, stderr = proc.communicate(timeout=30)
        assert "Traceback" not in stderr, stderr[-4000:]
