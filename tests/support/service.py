"""Run the real ``authmap serve`` for a test, on a free port."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.conftest import REPO, free_port


@dataclass
class Service:
    """A running ``authmap serve``: its base URL, and what it wrote to stdout and stderr (set
    once it has stopped; the files themselves are ``logs/serve.stdout`` and ``.stderr``)."""

    base: str
    logs: Path
    pid: int
    stdout: str = ""
    stderr: str = ""

    def tracebacks(self) -> str:
        """While it runs: the end of its stderr if that holds a traceback, else ''."""
        text = (self.logs / "serve.stderr").read_text(errors="replace")
        return text[-4000:] if "Traceback" in text else ""


SERVING = re.compile(r"authmap serving on (http://\S+?)/? ")


@contextmanager
def serve(
    env: Mapping[str, str],
    timeout: float = 60,
    *,
    args: Sequence[str] = (),
    logs: Path | None = None,
    port: int | None = None,
    command: Sequence[str] = (sys.executable, "-m", "app"),
    cwd: Path = REPO,
) -> Iterator[Service]:
    """Start ``authmap [args] serve --port PORT`` (a free port by default) with ``env``; yield
    it once /api/health answers at the URL it printed (the port it really serves). ``command``
    is the ``authmap`` to run (this interpreter's by default, from ``cwd``).

    Its output goes to files under ``logs`` (a temporary directory by default), so a long or
    verbose run cannot stall on a full pipe. On exit the service is stopped, its output is
    kept in ``Service.stdout`` / ``Service.stderr``, and a traceback there fails the test.
    """
    port = free_port() if port is None else port
    with contextlib.ExitStack() as stack:
        if logs is None:
            logs = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="authmap-serve-")))
        logs.mkdir(parents=True, exist_ok=True)
        out_path, err_path = logs / "serve.stdout", logs / "serve.stderr"
        with out_path.open("w") as out, err_path.open("w") as err:
            proc = subprocess.Popen(
                [*command, *args, "serve", "--port", str(port)],
                env={**os.environ, **env},
                cwd=cwd,
                stdout=out,
                stderr=err,
            )
        service = Service("", logs, proc.pid)
        try:
            deadline = time.monotonic() + timeout  # start-up only: not an assertion on speed
            while True:
                assert proc.poll() is None, (
                    f"authmap serve exited during start-up: {err_path.read_text()[-4000:]}"
                )
                if not service.base and (found := SERVING.search(out_path.read_text())):
                    service.base = found.group(1)
                try:
                    if service.base and httpx.get(f"{service.base}/api/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "authmap serve did not come up"
                time.sleep(0.2)
            yield service
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            service.stdout, service.stderr = out_path.read_text(), err_path.read_text()
        assert "Traceback" not in service.stderr, service.stderr[-4000:]


@contextmanager
def running_service(env: Mapping[str, str], timeout: float = 60) -> Iterator[str]:
    """Start ``authmap serve`` with ``env`` (see :func:`serve`); yield its base URL."""
    with serve(env, timeout) as service:
        yield service.base
