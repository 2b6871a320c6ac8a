"""Start and stop authmap's vcsim launcher (``tools/vcsim``) for tests and benchmarks.

``ensure_vcsim_binary()`` builds the launcher once (cached outside the repository by
``scripts/ensure-vcsim.sh``) and ``VcsimServer`` runs it on 127.0.0.1 with a random port::

    with VcsimServer(ensure_vcsim_binary(), cluster=2, vm=5) as sim:
        SmartConnect(host=sim.host, port=sim.port, user=sim.username, pwd=sim.password,
                     disableSslCertValidation=True)

The launcher serves the vim API at ``/sdk``, SPBM at ``/pbm`` and vAPI REST at ``/rest``.
"""

from __future__ import annotations

import collections
import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Self
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parents[2]
ENSURE_SCRIPT = REPO_ROOT / "scripts" / "ensure-vcsim.sh"
READY_PREFIX = "AUTHMAP_VCSIM_READY "
START_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 30.0
_TAIL_LINES = 40
# vcsim derives its instanceUuid (the id of every vCenter record) from the machine's network
# card; the launcher pins it to this one, the id of the shipped demo estate, on every machine.
INSTANCE_UUID = "04e13b05-d4f2-5266-b8cc-310f1fbe62ac"


class VcsimError(RuntimeError):
    """The vcsim launcher could not be built, started or stopped."""


def ensure_vcsim_binary() -> Path:
    """Build the launcher if needed (``scripts/ensure-vcsim.sh``) and return its path."""
    proc = subprocess.run(["bash", str(ENSURE_SCRIPT)], capture_output=True, text=True, check=False)
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    if proc.returncode != 0 or not lines:
        tail = "\n".join(proc.stderr.splitlines()[-_TAIL_LINES:])
        raise VcsimError(f"{ENSURE_SCRIPT} failed (exit {proc.returncode}):\n{tail}")
    binary = Path(lines[-1])
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        raise VcsimError(f"{ENSURE_SCRIPT} printed {binary}, which is not an executable file")
    return binary


class VcsimServer:
    """One launcher process serving a generated (or ``load_dir``) vCenter inventory.

    Model counts mean what they mean for upstream vcsim: ``cluster``, ``standalone_host``,
    ``ds``, ``pg`` and ``pod`` are per datacenter, ``host`` and ``pool`` per cluster, ``vm``
    per resource pool, standalone host and vApp. They are ignored when ``load_dir`` is set.
    ``instance_uuid`` is the vCenter's instanceUuid (:data:`INSTANCE_UUID` by default, the same
    on every machine; None keeps vcsim's own, derived from this machine's network card).

    Start-up time grows with the VM count (govmomi v0.56.0 takes about 20 ms per VM, and
    as much again to power it on; ``extra_args=("-autostart=false",)`` skips that): pass
    a larger ``timeout`` to ``start()`` for big models. The launcher keeps its files in
    ``$TMPDIR/authmap-vcsim-*`` and removes them on SIGTERM, even during start-up.
    """

    def __init__(
        self,
        binary: Path | str,
        *,
        dc: int = 1,
        cluster: int = 1,
        host: int = 3,
        standalone_host: int = 1,
        vm: int = 2,
        pool: int = 0,
        app: int = 0,
        pod: int = 0,
        ds: int = 1,
        pg: int = 1,
        folder: int = 0,
        load_dir: Path | str | None = None,
        username: str = "user",
        password: str = "pass",  # noqa: S107 - vcsim's stock test login, not a secret
        instance_uuid: str | None = INSTANCE_UUID,
        extra_args: Sequence[str] = (),
    ) -> None:
        self.binary = Path(binary)
        self.counts = {
            "dc": dc,
            "cluster": cluster,
            "host": host,
            "standalone-host": standalone_host,
            "vm": vm,
            "pool": pool,
            "app": app,
            "pod": pod,
            "ds": ds,
            "pg": pg,
            "folder": folder,
        }
        self.load_dir = None if load_dir is None else Path(load_dir)
        self.username = username
        self.password = password
        self.instance_uuid = instance_uuid  # None: vcsim's own, different on every machine
        self.extra_args = tuple(extra_args)
        self._proc: subprocess.Popen[str] | None = None
        self._url: str | None = None
        self._ready = threading.Event()
        self._stdout_tail: collections.deque[str] = collections.deque(maxlen=_TAIL_LINES)
        self._stderr_tail: collections.deque[str] = collections.deque(maxlen=_TAIL_LINES)
        self._readers: list[threading.Thread] = []

    # -- command line and derived values ---------------------------------------------------

    def argv(self) -> list[str]:
        """The launcher's command line (the password is on it: do not log it)."""
        args = [str(self.binary), "-l", "127.0.0.1:0"]
        args += ["-username", self.username, "-password", self.password]
        if self.instance_uuid is not None:
            args += ["-instance-uuid", self.instance_uuid]
        if self.load_dir is not None:
            args += ["-load", str(self.load_dir)]
        else:
            for name, value in self.counts.items():
                args += [f"-{name}", str(value)]
        return [*args, *self.extra_args]

    def expected_vm_count(self) -> int | None:
        """VMs a generated model holds (None for ``load_dir``), following vcsim's rules."""
        if self.load_dir is not None:
            return None
        c = self.counts
        per_cluster = max(c["pool"], 1) + c["app"]
        per_dc = c["standalone-host"] + c["cluster"] * per_cluster
        return c["dc"] * per_dc * c["vm"]

    @property
    def url(self) -> str:
        """The vim SDK URL, ``https://127.0.0.1:PORT/sdk`` (no credentials)."""
        if self._url is None:
            raise VcsimError("vcsim is not running; call start() first")
        return self._url

    @property
    def host(self) -> str:
        """The address the server listens on (always 127.0.0.1)."""
        hostname = urlsplit(self.url).hostname
        if hostname is None:
            raise VcsimError(f"no host in {self.url!r}")
        return hostname

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        port = urlsplit(self.url).port
        if port is None:
            raise VcsimError(f"no port in {self.url!r}")
        return port

    @property
    def pid(self) -> int:
        """The launcher's process id (also its process group id)."""
        if self._proc is None:
            raise VcsimError("vcsim was not started")
        return self._proc.pid

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self, timeout: float = START_TIMEOUT_S) -> Self:
        """Launch the server and wait until it prints its READY line."""
        if self._proc is not None:
            raise VcsimError("vcsim was already started")
        try:
            self._proc = subprocess.Popen(
                self.argv(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                bufsize=1,
                start_new_session=True,  # own process group: signals reach only vcsim
            )
        except OSError as exc:
            raise VcsimError(f"cannot run {self.binary}: {exc}") from exc
        assert self._proc.stdout is not None and self._proc.stderr is not None
        self._readers = [
            threading.Thread(target=self._read_stdout, args=(self._proc.stdout,), daemon=True),
            threading.Thread(target=self._read_stderr, args=(self._proc.stderr,), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

        try:
            self._wait_ready(timeout)
        except BaseException:
            self.stop()  # also on KeyboardInterrupt: vcsim runs in its own session
            raise
        return self

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> int | None:
        """SIGTERM the server (it removes its temp dirs), SIGKILL after ``timeout``.

        Returns the exit status (None if it was never started). Safe to call twice.
        """
        if self._proc is None:
            return None
        if self._proc.poll() is None:
            self._signal(signal.SIGTERM)
            try:
                self._proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._signal(signal.SIGKILL)
                self._proc.wait()
        self._cleanup_readers()
        return self._proc.returncode

    def kill(self) -> int | None:
        """SIGKILL the server at once, for fault tests.

        Its scratch directory (``$TMPDIR/authmap-vcsim-*``) is left behind.
        """
        if self._proc is None:
            return None
        if self._proc.poll() is None:
            self._signal(signal.SIGKILL)
            self._proc.wait()
        self._cleanup_readers()
        return self._proc.returncode

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- internals ---------------------------------------------------------------------------

    def _wait_ready(self, timeout: float) -> None:
        """Block until the READY line arrives; raise VcsimError if vcsim dies or times out."""
        assert self._proc is not None
        deadline = time.monotonic() + timeout
        while not self._ready.wait(0.05):
            if self._proc.poll() is not None:
                self._readers[0].join(timeout=5)  # it may still hold the READY line
                if self._ready.is_set():
                    return
                self._cleanup_readers()
                raise VcsimError(
                    f"vcsim exited with status {self._proc.returncode} before it was ready"
                    f"{self._diagnostics()}"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise VcsimError(f"vcsim was not ready after {timeout:.0f} s{self._diagnostics()}")

    def _signal(self, sig: signal.Signals) -> None:
        """Send ``sig`` to the launcher's whole process group, if it still exists."""
        assert self._proc is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._proc.pid, sig)

    def _read_stdout(self, stream: IO[str]) -> None:
        for line in stream:
            if not self._ready.is_set() and line.startswith(READY_PREFIX):
                self._url = line[len(READY_PREFIX) :].strip()
                self._ready.set()
            else:
                self._stdout_tail.append(line.rstrip("\n"))

    def _read_stderr(self, stream: IO[str]) -> None:
        for line in stream:
            self._stderr_tail.append(line.rstrip("\n"))

    def _cleanup_readers(self) -> None:
        for reader in self._readers:
            reader.join(timeout=5)
        assert self._proc is not None
        for stream in (self._proc.stdout, self._proc.stderr):
            if stream is not None:
                stream.close()

    def _diagnostics(self) -> str:
        parts = []
        if self._stderr_tail:
            parts.append("stderr (tail):\n" + "\n".join(self._stderr_tail))
        if self._stdout_tail:
            parts.append("stdout (tail):\n" + "\n".join(self._stdout_tail))
        return (":\n" + "\n".join(parts)) if parts else " (no output)"
