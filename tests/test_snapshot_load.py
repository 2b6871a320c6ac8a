"""Snapshots: written by collectors, validated whole, loaded as sync runs (real Neo4j)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from app.graph import Graph
from app.graph.loader import load_snapshot
from app.records import Datacenter, Folder, VCenter, VirtualMachine
from app.records.contract import SourceIdentity
from app.snapshot import SnapshotError, SnapshotWriter, validate
from tests.conftest import Neo4jInstance

VC = "11111111-2222-3333-4444-555555555555"


def _write(path: Path, vm_names: list[str], *, complete: bool = True) -> Path:
    with SnapshotWriter(path, SourceIdentity(kind="vcenter", id=VC, name="vc01")) as out:
        out.write(VCenter(id=VC, name="vc01", instance_uuid=VC, version="8.0.3"))
        out.write(Datacenter(id=f"{VC}:datacenter-2", moref="datacenter-2", name="DC0", vcenter=VC))
        out.write(
            Folder(
                id=f"{VC}:group-v3",
                moref="group-v3",
                name="vm",
                child_types=["VirtualMachine"],
                parent=f"{VC}:datacenter-2",
            )
        )
        for name in vm_names:
            out.write(
                VirtualMachine(id=f"{VC}:{name}", moref=name, name=name, folder=f"{VC}:group-v3")
            )
        if not complete:
            out.gap("VirtualMachine", "NoPermission", entity="group-v4")
    return path


def _counts(graph: Graph) -> dict[str, int]:
    return {r["label"]: r["count"] for r in graph.read("admin/label_counts")}


def test_round_trip_and_validation_summary(tmp_path: Path) -> None:
    path = _write(tmp_path / "s.jsonl.gz", ["vm-1", "vm-2"])
    summary = validate(path)
    assert summary.header.source.id == VC
    assert summary.counts == {"VCenter": 1, "Datacenter": 1, "Folder": 1, "VirtualMachine": 2}
    assert summary.trailer.complete and summary.trailer.records == 5
    with gzip.open(path, "rt") as handle:
        assert json.loads(handle.readline())["format"] == "authmap-snapshot"


def test_load_is_idempotent_and_removes_stale_after_complete_run(
    graph: Graph, tmp_path: Path
) -> None:
    first = load_snapshot(graph, _write(tmp_path / "a.jsonl", ["vm-1", "vm-2", "vm-3"]))
    assert first.status == "complete"
    assert first.nodes == {"VCenter": 1, "Datacenter": 1, "Folder": 1, "VirtualMachine": 3}
    assert first.links == {
        "Datacenter-IN_VCENTER-VCenter": 1,
        "Folder-CHILD_OF-VSphereEntity": 1,
        "VirtualMachine-IN_FOLDER-Folder": 3,
    }
    before = _counts(graph)
    again = load_snapshot(graph, _write(tmp_path / "b.jsonl", ["vm-1", "vm-2", "vm-3"]))
    after = _counts(graph)
    assert again.removed == 0
    assert {k: v for k, v in after.items() if k != "SyncRun"} == {
        k: v for k, v in before.items() if k != "SyncRun"
    }
    # vm-3 deleted at the source; a complete run removes it.
    third = load_snapshot(graph, _write(tmp_path / "c.jsonl", ["vm-1", "vm-2"]))
    assert third.removed == 2  # the VM node and its IN_FOLDER link
    assert _counts(graph)["VirtualMachine"] == 2


def test_partial_run_removes_nothing(graph: Graph, tmp_path: Path) -> None:
    load_snapshot(graph, _write(tmp_path / "a.jsonl", ["vm-1", "vm-2"]))
    partial = load_snapshot(graph, _write(tmp_path / "b.jsonl", ["vm-1"], complete=False))
    assert partial.status == "partial"
    assert partial.removed == 0
    assert partial.gaps == ["VirtualMachine: NoPermission (group-v4)"]
    assert _counts(graph)["VirtualMachine"] == 2
    runs = graph.read("sync/runs", {"limit": 5})
    assert [r["status"] for r in runs][:2] == ["partial", "complete"]


def test_missing_relationship_targets_are_counted(graph: Graph, tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    with SnapshotWriter(path, SourceIdentity(kind="vcenter", id=VC)) as out:
        out.write(VirtualMachine(id=f"{VC}:vm-9", moref="vm-9", name="orphan", folder=f"{VC}:nope"))
    report = load_snapshot(graph, path)
    assert report.missing == {"VirtualMachine-IN_FOLDER-Folder": 1}
    assert report.missing_samples["VirtualMachine-IN_FOLDER-Folder"] == [f"{VC}:nope"]


def _corrupt(src: Path, dest: Path, line_no: int, change: dict[str, object] | None) -> Path:
    lines = src.read_text().splitlines()
    if change is None:
        del lines[line_no - 1]
    else:
        data = json.loads(lines[line_no - 1])
        data.update(change)
        lines[line_no - 1] = json.dumps(data)
    dest.write_text("\n".join(lines) + "\n")
    return dest


@pytest.mark.parametrize(
    ("line", "change", "expected"),
    [
        (5, {"template": "not-a-bool"}, r":5: VirtualMachine record field 'template'"),
        (5, {"name": None}, r":5: VirtualMachine record field 'name'"),
        (4, {"kind": "Martian"}, r":4: unknown record kind 'Martian'"),
        (5, {"surprise": 1}, r":5: VirtualMachine record field 'surprise'"),
        (1, {"format_version": 99}, r":1: header field 'format_version'"),
        (7, None, r"truncated"),
    ],
)
def test_bad_snapshot_is_refused_and_nothing_written(
    neo4j_instance: Neo4jInstance,
    graph: Graph,
    tmp_path: Path,
    line: int,
    change: dict[str, object] | None,
    expected: str,
) -> None:
    good = _write(tmp_path / "good.jsonl", ["vm-1", "vm-2"])
    bad = _corrupt(good, tmp_path / "bad.jsonl", line, change)
    with pytest.raises(SnapshotError, match=expected):
        validate(bad)
    before = _counts(graph)
    proc = neo4j_instance.cli("load", str(good), str(bad))  # the good one must not load either
    assert proc.returncode == 2
    assert "nothing loaded" in proc.stderr and "bad.jsonl" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert _counts(graph) == before


def test_duplicate_ids_and_trailing_data_are_refused(tmp_path: Path) -> None:
    good = _write(tmp_path / "good.jsonl", ["vm-1", "vm-2"])
    lines = good.read_text().splitlines()
    dup = tmp_path / "dup.jsonl"
    dup.write_text("\n".join([*lines[:5], lines[4], *lines[5:]]) + "\n")
    with pytest.raises(SnapshotError, match="duplicate VirtualMachine id"):
        validate(dup)
    extra = tmp_path / "extra.jsonl"
    extra.write_text("\n".join([*lines, lines[4]]) + "\n")
    with pytest.raises(SnapshotError, match="data after the end"):
        validate(extra)
    not_json = tmp_path / "garbage.jsonl"
    not_json.write_text(lines[0] + "\n{oops\n")
    with pytest.raises(SnapshotError, match=":2: not JSON"):
        validate(not_json)


def test_cli_load_reports_the_run(
    neo4j_instance: Neo4jInstance, graph: Graph, tmp_path: Path
) -> None:
    path = _write(tmp_path / "cli.jsonl", ["vm-1"])
    checked = neo4j_instance.cli("load", "--check", str(path), check=True)
    assert "valid vcenter snapshot" in checked.stdout
    assert _counts(graph).get("VirtualMachine", 0) == 0
    proc = neo4j_instance.cli("load", "--json", str(path), check=True)
    report = json.loads(proc.stdout)[0]
    assert report["status"] == "complete"
    assert report["nodes"]["VirtualMachine"] == 1


def test_aborted_writer_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "aborted.jsonl"
    with pytest.raises(RuntimeError), SnapshotWriter(path, SourceIdentity(kind="vcenter", id=VC)):
        raise RuntimeError("collector crashed")
    assert not path.exists()
    assert not list(tmp_path.iterdir())
