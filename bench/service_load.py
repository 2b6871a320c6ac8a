"""Benchmark: a sustained mixed load (reads and ownership writes) on the real `authmap serve`.

The 10,000-VM / 50,000-user estate of ``bench/permissions.py`` (seeded, so every run builds the
same one) is loaded into a temporary managed Neo4j and derived; teams, a target platform and
API tokens are created (a viewer, an editor and one member per team). ``authmap serve`` runs as
a child process. Then:

* baseline: ``--clients`` threads call ``GET /api/health`` (with a token, so the service also
  pings Neo4j and checks the token: the cheapest authenticated round trip) for
  ``--baseline-seconds``;
* the mixed load: the same number of threads, each with its own HTTP connection, for
  ``--minutes``. About ``--write-share`` of the requests are ownership writes: a thread reads a
  decision (``ETag``) and takes it one step along assign → accept → enforce → verify (a
  verified one is reassigned or re-enforced) with ``If-Match``, as the editor, or as the member
  of the owning team for accept and verify. Half the writes go to a few "hot" decisions, so
  threads collide: a 412 is the correct answer to a stale ``If-Match`` and is counted apart.
  The reads are full-text search, a VM's neighbourhood, decision lists with filters, a
  decision's detail, an audit, ``who-can`` on a VM and ``effective`` for a user on a VM.

Any 5xx, transport error or other unexpected status is an error; so is a traceback in the
service's log. The service's RSS (``/proc/<pid>/status`` ``VmRSS``) is sampled every
``--rss-interval`` seconds. At the end every accepted write must have exactly one event in the
log (each write carries a unique note), no refused write any, each decision's events must form
an unbroken version chain from its version before the run, and each decision must end in the
state its last event says. Exit status 1 on any error or failed check.

Usage: ``.venv/bin/python -m bench.service_load --minutes 3 --clients 8``.
"""

from __future__ import annotations

import argparse
import itertools
import math
import random
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from app import lifecycle as ownership
from app.derive import run_derive
from app.graph import Graph
from app.graph.loader import load_snapshot
from app.tokens import NewToken, create
from tests.support.permission_estate import Estate, entity_id, principal_name, write_snapshots
from tests.support.service import serve

TEAMS = ("team-a", "team-b", "team-c")
PLATFORM = "pve"
AUDITS = ("authority-vacuum", "unverified-before-drill")
READS: dict[str, int] = {  # relative weights of the read kinds
    "search": 20,
    "neighbourhood": 15,
    "decisions list": 15,
    "decision detail": 20,
    "audit": 5,
    "who-can": 10,
    "effective": 15,
}
WRITES = ("assign", "accept", "enforce", "verify")
NEXT_ACTION = {
    "unowned": "assign",
    "assigned": "accept",
    "accepted": "enforce",
    "enforced": "verify",
}
STALE = 412
HOT_DECISIONS = 4
HOT_SHARE = 0.5


# --- setting up ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tokens:
    """The bearer tokens the clients use."""

    viewer: str
    editor: str
    members: dict[str, str]  # team -> a member token of that team


@dataclass(frozen=True)
class Subjects:
    """What the reads are about: VMs (id, name) and directory users (``CORP\\sam``)."""

    vms: list[tuple[str, str]]
    users: list[str]


def subjects_of(estate: Estate) -> Subjects:
    """The VMs and users of an estate (as the graph and the API name them)."""
    vms = [(entity_id(m), e.name) for m, e in estate.entities.items() if e.kind == "VirtualMachine"]
    return Subjects(vms=vms, users=[principal_name(u) for u in estate.users])


def load_estate(graph: Graph, estate: Estate, directory: Path) -> None:
    """Load ``estate`` (as a vCenter and an AD snapshot) and derive its decisions."""
    vc_path, ad_path = write_snapshots(estate, directory)
    load_snapshot(graph, vc_path)
    load_snapshot(graph, ad_path)
    run_derive(graph)


def prepare_ownership(graph: Graph, run: str) -> Tokens:
    """Teams, the target platform and the tokens (names carry ``run``) the clients use."""
    for team in TEAMS:
        ownership.upsert_team(graph, ownership.Team(name=team), "bench")
    ownership.upsert_platform(graph, ownership.TargetPlatform(name=PLATFORM, kind="Proxmox"), "b")

    def token(name: str, role: str, team: str | None = None) -> str:
        request = NewToken.model_validate({"name": f"{name}-{run}", "role": role, "team": team})
        return create(graph, request, "bench").token

    return Tokens(
        viewer=token("load-viewer", "viewer"),
        editor=token("load-editor", "editor"),
        members={t: token(f"load-member-{t}", "member", t) for t in TEAMS},
    )


def client(base: str, token: str) -> httpx.Client:
    """An HTTP client for the service with a bearer token."""
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120)


def decision_versions(http: httpx.Client) -> dict[str, int]:
    """Every decision's id and current version, through the API."""
    versions: dict[str, int] = {}
    for offset in itertools.count(0, 1000):
        page = http.get("/api/decisions", params={"limit": 1000, "offset": offset})
        page.raise_for_status()
        body = page.json()
        versions.update({d["id"]: d["version"] for d in body["items"]})
        if offset + 1000 >= body["total"]:
            return versions
    raise AssertionError("unreachable")


def wait_for_search(http: httpx.Client, term: str, timeout: float = 300) -> None:
    """Wait until the full-text index answers ``term`` (it is populated asynchronously)."""
    deadline = time.monotonic() + timeout
    while not http.get("/api/search", params={"q": term}).json():
        if time.monotonic() > deadline:
            raise RuntimeError(f"search for {term!r} found nothing after {timeout:.0f} s")
        time.sleep(1)


# --- measuring ---------------------------------------------------------------------------------


class RssSampler:
    """Samples a process's resident set size (MB) every ``interval`` seconds in a thread."""

    def __init__(self, pid: int, interval: float) -> None:
        self.pid, self.interval = pid, interval
        self.samples: list[tuple[float, float]] = []  # (monotonic time, MB)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def rss_mb(self) -> float:
        """The process's current RSS in MB."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError(f"no VmRSS for process {self.pid}")

    def sample(self) -> float:
        """Take one sample now and return it."""
        mb = self.rss_mb()
        self.samples.append((time.monotonic(), mb))
        return mb

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> RssSampler:
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

    def at(self, moment: float) -> float:
        """The first sample taken at or after ``moment`` (else the last)."""
        return next((mb for t, mb in self.samples if t >= moment), self.samples[-1][1])

    def slope(self, start: float, end: float) -> float:
        """Least-squares slope of RSS between ``start`` and ``end``, in MB per minute."""
        points = [(t, mb) for t, mb in self.samples if start <= t <= end]
        if len(points) < 2:
            return 0.0
        mean_t = sum(t for t, _ in points) / len(points)
        mean_mb = sum(mb for _, mb in points) / len(points)
        var = sum((t - mean_t) ** 2 for t, _ in points)
        cov = sum((t - mean_t) * (mb - mean_mb) for t, mb in points)
        return cov / var * 60 if var else 0.0


@dataclass
class Write:
    """One accepted or refused lifecycle POST."""

    decision: str
    action: str
    note: str
    status: int
    answered_version: int | None


@dataclass
class Tally:
    """What one client thread saw. ``latencies[kind]`` holds (start time, seconds)."""

    latencies: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)

    def add(self, kind: str, started: float, seconds: float, status: int) -> None:
        """Record one answered request."""
        self.latencies.setdefault(kind, []).append((started, seconds))
        self.statuses[kind, status] += 1

    def merge(self, other: Tally) -> None:
        """Add another thread's tally to this one."""
        for kind, values in other.latencies.items():
            self.latencies.setdefault(kind, []).extend(values)
        self.statuses.update(other.statuses)
        self.errors.extend(other.errors)
        self.writes.extend(other.writes)

    @property
    def stale(self) -> int:
        """How many writes were refused with 412 (a stale If-Match)."""
        return sum(1 for w in self.writes if w.status == STALE)


def _timed(
    tally: Tally, kind: str, call: Callable[[], httpx.Response], ok: Sequence[int] = (200,)
) -> httpx.Response | None:
    """Run one request; record its latency, and an error unless its status is in ``ok``."""
    started = time.monotonic()
    try:
        response = call()
    except httpx.HTTPError as exc:
        tally.errors.append(f"{kind}: {exc!r}")
        return None
    tally.add(kind, started, time.monotonic() - started, response.status_code)
    if response.status_code not in ok:
        tally.errors.append(f"{kind}: {response.status_code} {response.text[:300]}")
        return None
    return response


@dataclass
class Workload:
    """What the mixed-load clients need: the service, tokens, subjects and decisions."""

    base: str
    tokens: Tokens
    subjects: Subjects
    decisions: list[str]
    write_share: float = 0.2
    run: str = field(default_factory=lambda: uuid.uuid4().hex[:8])

    @property
    def hot(self) -> list[str]:
        """The few decisions half the writes go to (so that writers collide)."""
        return self.decisions[:HOT_DECISIONS]


class LoadClient:
    """One client thread of the mixed load: its connections, random source and tally."""

    def __init__(self, index: int, work: Workload) -> None:
        self.index, self.work = index, work
        self.rng = random.Random(index)
        self.tally = Tally()
        self.viewer = client(work.base, work.tokens.viewer)
        self.editor = client(work.base, work.tokens.editor)
        self.members = {t: client(work.base, tok) for t, tok in work.tokens.members.items()}
        self.writes = 0
        # a write is a GET and a POST: this share of operations makes POSTs ~write_share of
        # all requests
        self.write_odds = work.write_share / (1 - work.write_share)

    def close(self) -> None:
        """Close every connection."""
        for http in (self.viewer, self.editor, *self.members.values()):
            http.close()

    def step(self) -> None:
        """One operation: a read, or a read of a decision and a lifecycle write on it."""
        if self.rng.random() < self.write_odds:
            self.write()
        else:
            kind = self.rng.choices(list(READS), weights=list(READS.values()))[0]
            self.read(kind)

    def read(self, kind: str) -> None:
        """One read of ``kind``."""
        rng, work, http = self.rng, self.work, self.viewer
        vm_id, vm_name = rng.choice(work.subjects.vms)
        call: Callable[[], httpx.Response]
        if kind == "search":
            term = rng.choice([vm_name, vm_name[:-1], rng.choice(work.subjects.users)[5:]])
            call = lambda: http.get("/api/search", params={"q": term, "limit": 20})  # noqa: E731
        elif kind == "neighbourhood":
            depth = rng.choice([1, 2])
            url = f"/api/nodes/{quote(vm_id, safe='')}/neighbourhood"
            call = lambda: http.get(url, params={"depth": depth, "limit": 100})  # noqa: E731
        elif kind == "decisions list":
            params: dict[str, Any] = rng.choice(
                [
                    {"category": "change_authority", "limit": 50},
                    {"status": rng.choice(["unowned", "assigned", "enforced", "verified"])},
                    {"team": rng.choice(TEAMS), "limit": 50},
                    {"text": vm_name[:4], "limit": 50},
                    {"offset": rng.randrange(len(work.decisions)), "limit": 50},
                ]
            )
            call = lambda: http.get("/api/decisions", params=params)  # noqa: E731
        elif kind == "decision detail":
            url = f"/api/decisions/{quote(rng.choice(work.decisions), safe='')}"
            call = lambda: http.get(url)  # noqa: E731
        elif kind == "audit":
            url = f"/api/audits/{rng.choice(AUDITS)}/run"
            call = lambda: http.post(url)  # noqa: E731
        elif kind == "who-can":
            params = {"entity": vm_id, "limit": 100}
            call = lambda: http.get("/api/permissions/who-can", params=params)  # noqa: E731
        else:
            params = {"principal": rng.choice(work.subjects.users), "entity": vm_id}
            call = lambda: http.get("/api/permissions/effective", params=params)  # noqa: E731
        _timed(self.tally, kind, call)

    def write(self) -> None:
        """Read a decision's ETag and take it one step along its lifecycle."""
        rng, work = self.rng, self.work
        pool = work.hot if rng.random() < HOT_SHARE else work.decisions
        decision = rng.choice(pool)
        url = f"/api/decisions/{quote(decision, safe='')}"
        got = _timed(self.tally, "decision detail", lambda: self.editor.get(url))
        if got is None:
            return
        detail = got.json()
        status, team = detail["ownership_status"], detail["team"]
        action = NEXT_ACTION.get(status) or rng.choice(["assign", "enforce"])
        self.writes += 1
        note = f"load-{work.run}-c{self.index}-w{self.writes}"
        body: dict[str, Any] = {"note": note}
        http = self.editor
        if action == "assign":
            body["team"] = rng.choice([t for t in TEAMS if t != team])
        elif action == "enforce":
            body |= {"platform": PLATFORM, "reference": f"ha-group {note}"}
        elif action in ("accept", "verify"):
            http = self.members[team]
            if action == "verify":
                result = "pass" if rng.random() < 0.8 else "fail"
                body |= {"method": "config_check", "result": result}
        if_match = {"If-Match": got.headers["etag"]}
        answer = _timed(
            self.tally,
            action,
            lambda: http.post(f"{url}/{action}", json=body, headers=if_match),
            ok=(200, STALE),
        )
        if answer is not None:
            version = answer.json().get("version") if answer.status_code == 200 else None
            self.tally.writes.append(Write(decision, action, note, answer.status_code, version))


def run_threads(
    clients: int, seconds: float, make: Callable[[int], Any], step: Callable[[Any], None]
) -> list[Any]:
    """Run ``clients`` threads, each calling ``step(state)`` on its own ``make(i)`` state until
    ``seconds`` have passed; return the states. An exception ends that thread and is re-raised."""
    states = [make(i) for i in range(clients)]
    failures: list[BaseException] = []
    start = threading.Barrier(clients + 1)

    def loop(state: Any) -> None:
        start.wait()
        try:
            while time.monotonic() < deadline:
                step(state)
        except BaseException as exc:  # surfaced below, with the others' results
            failures.append(exc)

    threads = [threading.Thread(target=loop, args=(s,)) for s in states]
    for t in threads:
        t.start()
    deadline = time.monotonic() + seconds
    start.wait()
    for t in threads:
        t.join()
    if failures:
        raise failures[0]
    return states


def baseline(base: str, token: str, clients: int, seconds: float) -> Tally:
    """``GET /api/health`` with a token from ``clients`` threads for ``seconds``."""

    def make(_: int) -> tuple[httpx.Client, Tally]:
        return client(base, token), Tally()

    def step(state: tuple[httpx.Client, Tally]) -> None:
        http, tally = state
        _timed(tally, "health", lambda: http.get("/api/health"))

    states = run_threads(clients, seconds, make, step)
    total = Tally()
    for http, tally in states:
        http.close()
        total.merge(tally)
    return total


def mixed_load(work: Workload, clients: int, seconds: float) -> Tally:
    """The mixed load from ``clients`` threads for ``seconds``."""
    states: list[LoadClient] = run_threads(
        clients, seconds, lambda i: LoadClient(i, work), LoadClient.step
    )
    total = Tally()
    for state in states:
        state.close()
        total.merge(state.tally)
    return total


# --- checking ----------------------------------------------------------------------------------


def event_total(http: httpx.Client) -> int:
    """How many events the log holds, through the API."""
    page = http.get("/api/events", params={"limit": 1})
    page.raise_for_status()
    return int(page.json()["total"])


def all_events(http: httpx.Client) -> list[dict[str, Any]]:
    """The whole event log, through the API."""
    events: list[dict[str, Any]] = []
    for offset in itertools.count(0, 1000):
        page = http.get("/api/events", params={"limit": 1000, "offset": offset})
        page.raise_for_status()
        body = page.json()
        events.extend(body["items"])
        if offset + 1000 >= body["total"]:
            return events
    raise AssertionError("unreachable")


@dataclass
class WriteCheck:
    """The end-of-run consistency check of the writes."""

    accepted: int
    events: int
    decisions: int
    problems: list[str]
    answered_later: int
    """Accepted writes whose answer showed a later version than their own event's."""


def check_writes(
    http: httpx.Client, writes: list[Write], before: Mapping[str, int], run: str
) -> WriteCheck:
    """Every accepted write has exactly one event and a refused one none; each decision's
    events of this run continue its version chain from ``before``; each decision ends in the
    state its last event says."""
    problems: list[str] = []
    prefix = f"load-{run}-"
    events = [e for e in all_events(http) if (e["note"] or "").startswith(prefix)]
    by_note = Counter(e["note"] for e in events)
    accepted = [w for w in writes if w.status == 200]
    for w in writes:
        expected = 1 if w.status == 200 else 0
        if by_note[w.note] != expected:
            problems.append(f"{w.action} {w.note} ({w.status}): {by_note[w.note]} events")
    unknown = set(by_note) - {w.note for w in writes}
    problems += [f"an event for no write of the run: {n}" for n in sorted(unknown)]
    event_of = {e["note"]: e for e in events}
    answered_later = 0
    for w in accepted:
        event = event_of.get(w.note)
        if event is not None and w.answered_version != event["version"]:
            answered_later += 1
    per_decision: dict[str, list[dict[str, Any]]] = {}
    for e in events:
        per_decision.setdefault(e["decision_id"], []).append(e)
    for decision, evs in per_decision.items():
        evs.sort(key=lambda e: int(e["version"]))
        start = before.get(decision, 0)
        versions = [int(e["version"]) for e in evs]
        if versions != list(range(start + 1, start + len(evs) + 1)):
            problems.append(f"{decision}: versions {versions[:10]}... not from {start + 1}")
        for prev, nxt in itertools.pairwise(evs):
            if (nxt["before_status"], nxt["before_owner"]) != (
                prev["after_status"],
                prev["after_owner"],
            ):
                problems.append(f"{decision}: broken chain at version {nxt['version']}")
        final = http.get(f"/api/decisions/{quote(decision, safe='')}").json()
        last = evs[-1]
        if (final["version"], final["ownership_status"], final["team"]) != (
            start + len(evs),
            last["after_status"],
            last["after_owner"],
        ):
            problems.append(
                f"{decision}: ends at {final['version']} {final['ownership_status']} "
                f"{final['team']}, its last event says {last['version']} "
                f"{last['after_status']} {last['after_owner']}"
            )
    return WriteCheck(len(accepted), len(events), len(per_decision), problems, answered_later)


# --- reporting ---------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


@dataclass
class KindFigures:
    """Throughput and latency of one kind of request."""

    kind: str
    count: int
    per_second: float
    p50: float
    p95: float
    p99: float


def figures(tally: Tally, since: float, seconds: float) -> list[KindFigures]:
    """Per kind: requests started at or after ``since`` per second of ``seconds``, and their
    latency percentiles (ms); then the reads, the writes and everything together."""
    groups: dict[str, list[float]] = {}
    for kind, values in tally.latencies.items():
        kept = [s * 1000 for t, s in values if t >= since]
        groups[kind] = kept
        group = "writes (all)" if kind in WRITES else "reads (all)"
        if kind != "health":
            groups.setdefault(group, []).extend(kept)
            groups.setdefault("all requests", []).extend(kept)
    order = [*READS, *WRITES, "health", "reads (all)", "writes (all)", "all requests"]
    return [
        KindFigures(
            k,
            len(groups[k]),
            len(groups[k]) / seconds,
            percentile(groups[k], 50),
            percentile(groups[k], 95),
            percentile(groups[k], 99),
        )
        for k in order
        if groups.get(k)
    ]


def print_table(rows: list[KindFigures], base: KindFigures) -> None:
    """Print the figures with their ratios to the baseline's percentiles."""
    print(
        f"{'kind':18} {'count':>7} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'x p50':>6} {'x p95':>6} {'x p99':>6}"
    )
    for r in [base, *rows]:
        print(
            f"{r.kind:18} {r.count:7d} {r.per_second:7.1f} {r.p50:8.1f} {r.p95:8.1f} "
            f"{r.p99:8.1f} {r.p50 / base.p50:6.1f} {r.p95 / base.p95:6.1f} {r.p99 / base.p99:6.1f}"
        )


def main() -> None:
    """Build, load and derive the estate, start the service, measure, check, report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--vms", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=50_000)
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--baseline-seconds", type=float, default=30.0)
    parser.add_argument("--warmup-seconds", type=float, default=20.0)
    parser.add_argument("--write-share", type=float, default=0.2)
    parser.add_argument("--rss-interval", type=float, default=2.0)
    args = parser.parse_args()

    from bench.measure import temporary_graph
    from bench.permissions import build

    started = time.perf_counter()
    estate, _ = build(args.vms, args.users)
    with (
        tempfile.TemporaryDirectory() as tmp,
        temporary_graph(Path(tmp) / "home", heap="2g") as graph,
    ):
        load_estate(graph, estate, Path(tmp) / "snap")
        run = uuid.uuid4().hex[:8]
        tokens = prepare_ownership(graph, run)
        print(
            f"estate: {args.vms} VMs, {args.users} users; built, loaded and derived in "
            f"{time.perf_counter() - started:.0f} s",
            flush=True,
        )
        env = {"AUTHMAP_HOME": str(Path(tmp) / "home"), "NEO4J_URI": ""}
        ok = run_measurement(args, env, tokens, subjects_of(estate), Path(tmp) / "serve", run)
    sys.exit(0 if ok else 1)


def run_measurement(
    args: argparse.Namespace,
    env: Mapping[str, str],
    tokens: Tokens,
    subjects: Subjects,
    logs: Path,
    run: str,
) -> bool:
    """Start the service, run the baseline and the mixed load, check and print; True when
    there was no error and every check passed."""
    with serve(env, timeout=120, logs=logs) as service, client(service.base, tokens.viewer) as http:
        wait_for_search(http, subjects.vms[-1][1])
        before = decision_versions(http)
        events_before = event_total(http)
        work = Workload(
            base=service.base,
            tokens=tokens,
            subjects=subjects,
            decisions=sorted(before),
            write_share=args.write_share,
            run=run,
        )
        print(f"decisions: {len(before)}; service pid {service.pid}", flush=True)
        with RssSampler(service.pid, args.rss_interval) as rss:
            rss_start = rss.samples[0][1]
            base = baseline(service.base, tokens.viewer, args.clients, args.baseline_seconds)
            t0 = time.monotonic()
            load = mixed_load(work, args.clients, args.minutes * 60)
            t1 = time.monotonic()
        check = check_writes(http, load.writes, before, run)
        logged = event_total(http) - events_before
        if logged != check.accepted:
            check.problems.append(f"{logged} new events in the log for {check.accepted} writes")
        tracebacks = service.tracebacks()

    measured = t1 - t0 - args.warmup_seconds
    [base_row] = figures(base, 0, args.baseline_seconds)
    base_row.kind = "health (baseline)"
    print(f"\n{args.clients} clients; mixed load {args.minutes:g} min (first "
          f"{args.warmup_seconds:g} s warm-up, not in the figures)")  # fmt: skip
    print_table(figures(load, t0 + args.warmup_seconds, measured), base_row)
    statuses = Counter(status for (_, status) in load.statuses.elements())
    print(f"\nstatuses: {dict(sorted(statuses.items()))}; 412 (stale If-Match): {load.stale}")
    print(f"errors: {len(load.errors) + len(base.errors)}")
    for e in (base.errors + load.errors)[:20]:
        print(f"  {e}")
    mid = t0 + (t1 - t0) / 2
    peak = max(mb for _, mb in rss.samples)
    print(
        f"service RSS (MB): start {rss_start:.0f}, after warm-up "
        f"{rss.at(t0 + args.warmup_seconds):.0f}, max {peak:.0f}, end {rss.samples[-1][1]:.0f}; "
        f"slope over the second half {rss.slope(mid, t1):+.2f} MB/min "
        f"({len(rss.samples)} samples)"
    )
    minutes = [
        max((mb for t, mb in rss.samples if t0 + 60 * m <= t < t0 + 60 * (m + 1)), default=0)
        for m in range(math.ceil((t1 - t0) / 60))
    ]
    print("service RSS, highest sample of each minute of the load (MB): "
          + ", ".join(f"{mb:.0f}" for mb in minutes))  # fmt: skip
    print(
        f"writes: {check.accepted} accepted on {check.decisions} decisions, {check.events} "
        f"events of the run ({logged} new in the log); answers showing a later write's "
        f"version: {check.answered_later}"
    )
    for p in check.problems[:20]:
        print(f"  PROBLEM {p}")
    if tracebacks:
        print(f"traceback in the service log:\n{tracebacks}")
    return not (load.errors or base.errors or check.problems or tracebacks)


if __name__ == "__main__":
    main()
