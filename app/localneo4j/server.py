"""Start, stop and inspect the managed local Neo4j Community server.

Layout under ``$AUTHMAP_HOME/neo4j``::

    conf/neo4j.conf      generated on every start from the options below
    data/ logs/ run/     the server's own directories (data survives stop/start)
    password             the generated password of user ``neo4j`` (mode 0600)
    instance.json        pid, port and version; the port stays after a stop and is reused

The server binds to 127.0.0.1 only, has authentication on, and is sized from the machine's
memory (:mod:`app.localneo4j.memory`). A query that exhausts the heap fails on its own: the
JVM is not told to exit on an ``OutOfMemoryError``, so one bad read cannot stop the server.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import string
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from neo4j import GraphDatabase
from neo4j.exceptions import AuthError, ServiceUnavailable

from app.localneo4j.distribution import NEO4J_VERSION, ensure_distribution
from app.localneo4j.java import JavaRuntime, find_java
from app.localneo4j.memory import AUTO, MemoryPlan, MemorySizeError, plan_memory

MAIN_CLASS = "org.neo4j.server.CommunityEntryPoint"
ADMIN_CLASS = "org.neo4j.server.startup.Neo4jAdminBoot"
JVM_OPENS = (
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
)
DEFAULT_PORT = 7687
START_TIMEOUT = 120.0


class Neo4jServerError(RuntimeError):
    """The local server could not be started, stopped or reached."""


@dataclass(frozen=True)
class ServerStatus:
    """What ``authmap neo4j status`` reports."""

    running: bool
    pid: int | None
    port: int | None
    uri: str | None
    home: Path
    version: str


@dataclass(frozen=True)
class PortChoice:
    """The Bolt port a start uses, and why (printed by ``authmap neo4j start``)."""

    port: int
    reason: str


@dataclass(frozen=True)
class StartResult:
    """What :meth:`LocalNeo4j.start` did: the status after it, whether it started the server
    now (False: it already ran) and, when it did, how the port was chosen."""

    status: ServerStatus
    started: bool
    port: PortChoice | None


def _pid_alive(pid: int, marker: str) -> bool:
    """True when ``pid`` is a live process whose command line contains ``marker``."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.exists():
        try:
            return marker in cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            return False
    return True


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    """A port on 127.0.0.1 nobody listens on right now (the kernel's pick)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _free_instead(taken: str) -> PortChoice:
    """A free port, for a start whose usual port (``taken``: "port 7687 is") is busy."""
    port = _free_port()
    return PortChoice(
        port,
        f"{taken} used by another program: using free port {port} (remembered for later starts)",
    )


def generate_password() -> str:
    """A random password that never starts with ``-`` (Neo4j's admin tool would read such a
    password as an option and fail, about one start in 32)."""
    return secrets.choice(string.ascii_letters) + secrets.token_urlsafe(24)


class LocalNeo4j:
    """The managed server of one ``AUTHMAP_HOME``."""

    def __init__(self, home: Path, cache: Path) -> None:
        self.root = home / "neo4j"
        self.cache = cache
        self.conf_dir = self.root / "conf"
        self.data_dir = self.root / "data"
        self.logs_dir = self.root / "logs"
        self.run_dir = self.root / "run"
        self.password_file = self.root / "password"
        self.instance_file = self.root / "instance.json"

    # -- state -----------------------------------------------------------------------------
    def _read_instance(self) -> dict[str, object] | None:
        try:
            data = json.loads(self.instance_file.read_text())
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def _marker(self) -> str:
        return f"--home-dir={self.root}"

    def password(self) -> str:
        """The generated password (raises when the server was never initialised)."""
        try:
            return self.password_file.read_text().strip()
        except FileNotFoundError:
            raise Neo4jServerError(
                f"no local Neo4j has been set up under {self.root}: run `authmap neo4j start`"
            ) from None

    def status(self) -> ServerStatus:
        """Whether the server runs, with its pid, port and URI. Clears a stale pid file."""
        info = self._read_instance()
        pid = info.get("pid") if info else None
        port = info.get("port") if info else None
        if isinstance(pid, int) and _pid_alive(pid, self._marker()):
            port_i = port if isinstance(port, int) else None
            uri = f"bolt://127.0.0.1:{port_i}" if port_i else None
            return ServerStatus(True, pid, port_i, uri, self.root, NEO4J_VERSION)
        if info is not None and pid is not None:
            # Stale: the process died (crash, reboot) without `authmap neo4j stop`.
            info.pop("pid", None)
            self.instance_file.write_text(json.dumps(info))
        last_port = port if isinstance(port, int) else None
        return ServerStatus(False, None, last_port, None, self.root, NEO4J_VERSION)

    # -- start -----------------------------------------------------------------------------
    def _write_conf(self, port: int, memory: MemoryPlan, extra: dict[str, str]) -> None:
        settings = {
            "server.default_listen_address": "127.0.0.1",
            "server.default_advertised_address": "127.0.0.1",
            "server.bolt.listen_address": f"127.0.0.1:{port}",
            "server.bolt.advertised_address": f"127.0.0.1:{port}",
            "server.http.enabled": "false",
            "server.https.enabled": "false",
            "dbms.security.auth_enabled": "true",
            **memory.settings(),
            "db.transaction.timeout": "600s",
            "db.lock.acquisition.timeout": "120s",
            "dbms.usage_report.enabled": "false",
            "server.directories.data": str(self.data_dir),
            "server.directories.logs": str(self.logs_dir),
            "server.directories.run": str(self.run_dir),
            "server.directories.plugins": str(self.root / "plugins"),
            "server.directories.import": str(self.root / "import"),
        }
        settings.update(extra)
        lines = ["# Generated by `authmap neo4j start`; edits are overwritten on the next start."]
        lines += [f"{key}={value}" for key, value in settings.items()]
        self.conf_dir.mkdir(parents=True, exist_ok=True)
        (self.conf_dir / "neo4j.conf").write_text("\n".join(lines) + "\n")

    def _env(self, lib: Path) -> dict[str, str]:
        env = dict(os.environ)
        env.update({"NEO4J_HOME": str(self.root), "NEO4J_CONF": str(self.conf_dir)})
        env.pop("NEO4J_PASSWORD", None)
        return env

    def _init_password(self, java: JavaRuntime, lib: Path) -> None:
        """Set the initial password before the very first start (no default-password window)."""
        if (self.data_dir / "dbms" / "auth.ini").exists() or (self.data_dir / "databases").exists():
            return
        password = generate_password()
        self.password_file.touch(mode=0o600, exist_ok=True)
        self.password_file.chmod(0o600)
        self.password_file.write_text(password + "\n")
        cmd = [str(java.executable), "-cp", f"{lib}/*", ADMIN_CLASS]
        cmd += ["dbms", "set-initial-password", password]
        proc = subprocess.run(
            cmd, env=self._env(lib), capture_output=True, text=True, check=False, timeout=300
        )
        if proc.returncode != 0:
            self.password_file.unlink(missing_ok=True)
            output = (proc.stdout + proc.stderr).replace(password, "***")
            raise Neo4jServerError(f"setting the initial password failed:\n{output.strip()}")

    def choose_port(self, requested: int | None = None) -> PortChoice:
        """The Bolt port for the next start: ``requested`` (``--port``) if given and free; else
        the remembered port of this home if free; else 7687 if free; else a free port. A
        remembered port that another program took meanwhile is replaced (and said so)."""
        if requested is not None:
            if not _port_free(requested):
                raise Neo4jServerError(
                    f"port {requested} on 127.0.0.1 is in use by another program: pass another "
                    "--port, or none to let authmap pick a free one"
                )
            return PortChoice(requested, f"port {requested} (--port, remembered for later starts)")
        info = self._read_instance() or {}
        remembered = info.get("port")
        if isinstance(remembered, int) and not isinstance(remembered, bool):
            if _port_free(remembered):
                return PortChoice(remembered, f"port {remembered} (remembered)")
            return _free_instead(f"the remembered port {remembered} is now")
        if _port_free(DEFAULT_PORT):
            return PortChoice(DEFAULT_PORT, f"port {DEFAULT_PORT} (the default)")
        return _free_instead(f"port {DEFAULT_PORT} is")

    def start(
        self,
        *,
        port: int | None = None,
        heap: str = AUTO,
        pagecache: str = AUTO,
        settings: dict[str, str] | None = None,
        distribution: Path | None = None,
        timeout: float = START_TIMEOUT,
    ) -> StartResult:
        """Start the server unless it already runs; return its status, whether it was started
        now and how the port was chosen (:meth:`choose_port`). Returns only once Bolt answers
        with the stored password. ``heap`` and ``pagecache`` are sizes (``2g``) or ``auto``."""
        current = self.status()
        if current.running:
            return StartResult(current, False, None)
        try:
            memory = plan_memory(heap, pagecache)
        except MemorySizeError as exc:
            raise Neo4jServerError(str(exc)) from None
        choice = self.choose_port(port)
        lib = ensure_distribution(self.cache, distribution)
        java = find_java()
        self._prepare(choice.port, memory, settings or {}, java, lib)
        proc = self._launch(java, lib, memory)
        self._write_instance(proc.pid, choice.port, java)
        self._wait_for_bolt(proc, choice.port, timeout)
        return StartResult(self.status(), True, choice)

    def _prepare(
        self,
        port: int,
        memory: MemoryPlan,
        settings: dict[str, str],
        java: JavaRuntime,
        lib: Path,
    ) -> None:
        """Create the directories, write neo4j.conf and set the initial password."""
        for directory in (
            self.data_dir,
            self.logs_dir,
            self.run_dir,
            self.root / "import",
            self.root / "plugins",
        ):
            directory.mkdir(parents=True, exist_ok=True)
        self._write_conf(port, memory, settings)
        self._init_password(java, lib)

    def _launch(self, java: JavaRuntime, lib: Path, memory: MemoryPlan) -> subprocess.Popen[bytes]:
        """Start the JVM in its own session, its output appended to ``logs/console.log``."""
        cmd = [
            str(java.executable),
            *memory.jvm_flags(),
            "-XX:+UseG1GC",
            *JVM_OPENS,
            "-cp",
            f"{lib}/*",
            MAIN_CLASS,
            self._marker(),
            f"--config-dir={self.conf_dir}",
        ]
        with (self.logs_dir / "console.log").open("ab") as console:
            return subprocess.Popen(
                cmd,
                env=self._env(lib),
                stdout=console,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                cwd=self.root,
            )

    def _write_instance(self, pid: int, port: int, java: JavaRuntime) -> None:
        """Record the running server: its pid and the port later starts reuse."""
        info = {"pid": pid, "port": port, "version": NEO4J_VERSION, "java": str(java.executable)}
        self.instance_file.write_text(json.dumps(info))

    def _wait_for_bolt(self, proc: subprocess.Popen[bytes], port: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        auth = ("neo4j", self.password())
        last: Exception | None = None
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise Neo4jServerError(
                    f"Neo4j exited with code {proc.returncode} during start-up.\n" + self.log_tail()
                )
            try:
                with GraphDatabase.driver(f"bolt://127.0.0.1:{port}", auth=auth) as driver:
                    driver.verify_connectivity()
                return
            except AuthError as exc:
                raise Neo4jServerError(
                    f"Neo4j refused the stored password in {self.password_file}: {exc.code}"
                ) from None
            except (ServiceUnavailable, OSError) as exc:
                last = exc
            time.sleep(0.25)
        self._terminate(proc.pid)
        raise Neo4jServerError(
            f"Neo4j did not answer on Bolt within {timeout:.0f} s ({last}).\n" + self.log_tail()
        )

    def log_tail(self, lines: int = 20) -> str:
        """The last lines of the server's log (for error messages)."""
        for name in ("neo4j.log", "console.log"):
            path = self.logs_dir / name
            if path.is_file() and path.stat().st_size:
                text = path.read_text(errors="replace").splitlines()[-lines:]
                return f"Last lines of {path}:\n" + "\n".join(text)
        return f"(no log in {self.logs_dir})"

    # -- stop ------------------------------------------------------------------------------
    def _terminate(self, pid: int, timeout: float = 60.0) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not _pid_alive(pid, self._marker()):
                return
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            time.sleep(0.2)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)

    def stop(self, timeout: float = 60.0) -> bool:
        """Stop the server cleanly (SIGTERM, then SIGKILL after ``timeout``). Returns whether
        a running server was stopped."""
        current = self.status()
        if not current.running or current.pid is None:
            return False
        self._terminate(current.pid, timeout)
        self.status()  # clears the pid from instance.json
        return True

    def env_lines(self) -> list[str]:
        """``NEO4J_*`` lines for other tools (cypher-shell, scripts)."""
        current = self.status()
        if not current.running or current.uri is None:
            raise Neo4jServerError("the local Neo4j is not running: run `authmap neo4j start`")
        return [
            f"NEO4J_URI={current.uri}",
            "NEO4J_USER=neo4j",
            f"NEO4J_PASSWORD={self.password()}",
            "NEO4J_DATABASE=neo4j",
        ]
