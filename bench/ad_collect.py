"""Benchmark: Active Directory collection and load at 50,000 users and 5,000 groups.

A Samba AD DC is provisioned once from a generated LDIF (``ldbadd`` into a cached template),
then, in one run:

* baseline: raw paged ldap3 searches of the same objects and attributes (no range retrieval,
  no records, nothing written);
* ``authmap collect ad`` in its own process: wall time, peak RSS, ratio to the baseline;
* loading the snapshot into a managed Neo4j: rows/s (first load and idempotent re-load).

Usage: ``.venv/bin/python -m bench.ad_collect [--users 50000 --groups 5000]``.
"""

from __future__ import annotations

import argparse
import os
import ssl
import sys
import tempfile
import time
from pathlib import Path

from ldap3 import SIMPLE, SUBTREE, Connection, Server, Tls

from app.graph.loader import load_snapshot
from bench.measure import run_measured, temporary_graph
from ingest.ad.collect import COMMON, COMPUTER_ATTRS, GROUP_ATTRS, USER_ATTRS
from tests.support.samba_ad import DirectorySpec, SambaDC, directory_template

ADDRESS = "127.0.0.9"


def raw_searches(dc: SambaDC) -> int:
    """The baseline: the same paged searches, results counted and dropped."""
    tls = Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=str(dc.ca_file))
    conn = Connection(
        Server(dc.address, port=636, use_ssl=True, tls=tls),
        user=dc.admin_dn,
        password=dc.admin_password,
        authentication=SIMPLE,
        auto_bind=True,
    )
    total = 0
    for search_filter, attrs in (
        ("(&(objectCategory=person)(objectClass=user))", USER_ATTRS),
        ("(objectClass=group)", [*GROUP_ATTRS, "member"]),
        ("(objectClass=computer)", COMPUTER_ATTRS),
        ("(objectClass=foreignSecurityPrincipal)", COMMON),
    ):
        for entry in conn.extend.standard.paged_search(
            dc.base_dn, search_filter, SUBTREE, attributes=attrs, paged_size=500, generator=True
        ):
            total += entry.get("type") == "searchResEntry"
    conn.unbind()
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=50_000)
    parser.add_argument("--groups", type=int, default=5_000)
    args = parser.parse_args()
    spec = DirectorySpec(users=args.users, groups=args.groups, nesting_depth=4)
    t0 = time.perf_counter()
    template, manifest = directory_template(spec, name="bench")
    print(f"template ready in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    with SambaDC(template, ADDRESS) as dc, tempfile.TemporaryDirectory(prefix="authmap-") as tmp:
        t = time.perf_counter()
        objects = raw_searches(dc)
        raw_s = time.perf_counter() - t
        snapshot = Path(tmp) / "ad.jsonl.gz"
        env = {**os.environ, "AD_PW": dc.admin_password}
        collect_s, rss = run_measured(
            [
                sys.executable,
                "-m",
                "app",
                "collect",
                "ad",
                "--server",
                dc.ldaps_url,
                "--ca-file",
                str(dc.ca_file),
                "--user",
                dc.admin_dn,
                "--password-env",
                "AD_PW",
                "--out",
                str(snapshot),
            ],
            env,
        )
        with temporary_graph(Path(tmp) / "home") as graph:
            t = time.perf_counter()
            report = load_snapshot(graph, snapshot)
            load_s = time.perf_counter() - t
            t = time.perf_counter()
            load_snapshot(graph, snapshot)
            reload_s = time.perf_counter() - t
    rows = sum(report.nodes.values()) + sum(report.links.values())
    print(
        f"directory: {manifest.user_count:,} users, {manifest.group_count:,} groups; "
        f"{objects:,} objects searched; snapshot {snapshot.name}"
    )
    print("| measure | value |\n|---|---:|")
    print(f"| raw paged searches, same objects and attributes (baseline) | {raw_s:.1f} s |")
    print(
        f"| `authmap collect ad` (own process, incl. start-up and range retrieval) | "
        f"{collect_s:.1f} s ({collect_s / raw_s:.2f}x) |"
    )
    print(f"| peak RSS of `authmap collect ad` | {rss:.0f} MB |")
    print(
        f"| first load, {rows:,} rows (nodes + memberships) | {load_s:.1f} s, "
        f"{rows / load_s:,.0f} rows/s |"
    )
    print(f"| re-load (idempotent) | {reload_s:.1f} s, {rows / reload_s:,.0f} rows/s |")


if __name__ == "__main__":
    main()
