"""Run parity for one target: map VMs, judge every active decision, report and store.

Per decision: its blast radius (the source VMs it ``AFFECTS``) is restricted to the VMs mapped
to the target; a decision that has VMs and none of them mapped is ``unmapped``; otherwise the
judge of its kind (:mod:`app.parity.judges`) decides. Results are stored as ``ParityResult``
nodes linked to their ``Decision`` (``PARITY_OF``), to their run (``IN_RUN``) and to the target
objects named as evidence (``TARGET_EVIDENCE``); decisions' ownership is never touched.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from app.graph import Graph
from app.parity.authority import Authorizer, target_only
from app.parity.judges import JUDGES, Context, Item
from app.parity.lifecycle import demote_drifted
from app.parity.mapfile import TargetMap
from app.parity.model import Status, Verdict
from app.parity.principals import MapperBase, PrincipalMap, PrincipalMapper
from app.parity.pve_authority import target_only as pve_target_only
from app.parity.pve_model import PveVM, pve_name
from app.parity.pve_principals import PvePrincipalMapper
from app.parity.target import Target, choose_target, load_target
from app.parity.vmmap import SourceVM, VMMapping, map_vms

Q = "parity"


@dataclass
class DecisionParity:
    """One decision's parity on the target."""

    decision_id: str
    category: str
    kind: str
    summary: str
    status: Status
    verdict: Verdict
    mapped: list[str]
    unmapped: list[str]

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of one decision."""
        return {
            "decision_id": self.decision_id,
            "category": self.category,
            "summary": self.summary,
            "status": self.status,
            "evidence": [e.to_dict() for e in self.verdict.evidence],
            "explanation": list(self.verdict.explanation),
            "vms": {"mapped": self.mapped, "unmapped": self.unmapped},
        }


@dataclass
class ParityReport:
    """What one parity run found."""

    run: str
    at: str
    target: Target
    decisions: list[DecisionParity] = field(default_factory=list)
    target_only: list[dict[str, Any]] = field(default_factory=list)
    vm_mapping: VMMapping = field(default_factory=VMMapping)
    demoted: list[str] = field(default_factory=list)
    """Decisions verified by target read that this run found no longer enforced."""

    def counts(self) -> dict[str, int]:
        """Decisions per status."""
        found: dict[str, int] = defaultdict(int)
        for d in self.decisions:
            found[d.status] += 1
        return dict(found)

    def to_dict(self) -> dict[str, Any]:
        """``{"target", "decisions", "target_only", "vm_mapping"}``."""
        return {
            "target": {**self.target.to_dict(), "run": self.run, "at": self.at},
            "decisions": [d.to_dict() for d in self.decisions],
            "target_only": list(self.target_only),
            "vm_mapping": self.vm_mapping.to_dict(),
        }


@dataclass(frozen=True)
class ParityOptions:
    """What to compare, and the mapping overrides."""

    target: str | None = None
    categories: tuple[str, ...] = ()
    target_map: TargetMap = field(default_factory=TargetMap)
    principal_map: PrincipalMap = field(default_factory=PrincipalMap)


def prepare(graph: Graph, options: ParityOptions) -> Target:
    """The chosen target with its objects (raises :class:`app.parity.target.TargetError`)."""
    return load_target(graph, choose_target(graph, options.target))


def _mapping(graph: Graph, target: Target, options: ParityOptions) -> VMMapping:
    sources = [
        SourceVM(r["id"], r["name"], r["bios_uuid"], tuple(r["macs"]))
        for r in graph.read(f"{Q}/source_vms")
    ]
    if target.platform != "proxmox":
        return map_vms(sources, target.vms, options.target_map.vms)
    mapping = map_vms(sources, target.vms, options.target_map.vms, name_key=pve_name)
    mapping.how = {k: "smbios1" if v == "firmware_uuid" else v for k, v in mapping.how.items()}
    return mapping


def _mapper(target: Target, options: ParityOptions) -> MapperBase:
    if target.pve is not None:
        pve = target.pve
        return PvePrincipalMapper(pve.users, pve.groups, pve.realms.values(), options.principal_map)
    return PrincipalMapper(target.subjects, options.principal_map)


def judges_for(target: Target) -> dict[str, Any]:
    """Decision kind -> judge for the target's platform."""
    if target.platform == "proxmox":
        from app.parity.pve_judges import PVE_JUDGES

        return dict(PVE_JUDGES)
    return dict(JUDGES)


def _unmapped_note(mapping: VMMapping, vm_ids: list[str]) -> list[str]:
    notes = []
    for vid in vm_ids:
        if vid in mapping.ambiguous:
            notes.append(
                f"{mapping.names.get(vid, vid)} is ambiguous on the target: "
                f"{', '.join(mapping.ambiguous[vid])}"
            )
    return notes


def run_parity(
    graph: Graph, target: Target, options: ParityOptions, authorizer: Authorizer | None
) -> ParityReport:
    """Judge every active decision of the chosen categories on ``target`` (a Kubernetes
    target's change authority needs its ``authorizer``; a Proxmox target's ACLs are in the
    graph)."""
    report = ParityReport(uuid.uuid4().hex, datetime.now(UTC).isoformat(), target)
    report.vm_mapping = mapping = _mapping(graph, target, options)
    principals = _mapper(target, options)
    ctx = Context(graph, target, options.target_map, principals, authorizer, mapping.matched)
    judges = judges_for(target)
    rows = graph.read(
        f"{Q}/decisions", {"categories": list(options.categories) or None, "kinds": sorted(judges)}
    )
    by_judge: dict[Any, list[Item]] = defaultdict(list)
    pending: list[tuple[dict[str, Any], list[str], list[str]]] = []
    for row in rows:
        vm_ids = list(row["vms"])
        mapped = [vid for vid in vm_ids if vid in mapping.matched]
        pending.append((row, mapped, [v for v in vm_ids if v not in mapping.matched]))
        if vm_ids and not mapped:
            continue
        item = Item(row["id"], row["kind"], tuple(mapping.matched[v] for v in mapped))
        by_judge[judges[row["kind"]]].append(item)
    verdicts: dict[str, Verdict] = {}
    for judge, items in by_judge.items():
        verdicts.update(judge(ctx, items))
    for row, mapped, unmapped in pending:
        verdict = verdicts.get(row["id"])
        if verdict is None:
            verdict = Verdict("unmapped", [f"none of its {len(row['vms'])} VM(s) is on the target"])
        verdict.explanation += _unmapped_note(mapping, unmapped)
        report.decisions.append(
            DecisionParity(
                row["id"],
                row["category"],
                row["kind"],
                row["summary"],
                verdict.status,
                verdict,
                sorted(mapping.matched[v].ref for v in mapped),
                sorted(mapping.names.get(v, v) for v in unmapped),
            )
        )
    if not options.categories or "change_authority" in options.categories:
        held = [(r["principal"], bool(r["is_group"])) for r in graph.read(f"{Q}/principals")]
        if target.pve is not None and isinstance(principals, PvePrincipalMapper):
            guests = [vm for vm in target.vms if isinstance(vm, PveVM)]
            report.target_only = pve_target_only(target.pve, guests, held, principals)
        elif authorizer is not None and isinstance(principals, PrincipalMapper):
            report.target_only = target_only(target.bindings, held, principals, authorizer)
    return report


def store(graph: Graph, report: ParityReport) -> int:
    """Store each result as a ``ParityResult`` of its decision; earlier results of the same
    decision and target stay, no longer ``latest``. Returns how many were stored."""
    rows = [
        {
            "decision_id": d.decision_id,
            "status": d.status,
            "explanation": d.verdict.explanation,
            "evidence_json": json.dumps([e.to_dict() for e in d.verdict.evidence]),
            "evidence_ids": [e.id for e in d.verdict.evidence],
            "mapped": d.mapped,
            "unmapped": d.unmapped,
        }
        for d in report.decisions
    ]
    params = {
        "run": report.run,
        "at": report.at,
        "target": report.target.id,
        "target_name": report.target.name,
        "counts_json": json.dumps(report.counts(), sort_keys=True),
        "target_only_json": json.dumps(report.target_only),
        "vm_mapping_json": json.dumps(report.vm_mapping.to_dict()),
    }
    graph.write(f"{Q}/store_run", params)
    stats = graph.write_rows(f"{Q}/store_results", rows, params)
    report.demoted = demote_drifted(
        graph, {d.decision_id: d.status for d in report.decisions}, report.target.id
    )
    return int(stats.totals.get("stored", 0))
