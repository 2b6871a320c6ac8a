"""Ownership as code: export every owned decision to YAML, review it in git, import it back.

Import validates the whole file first (schema, unknown decision ids, teams), then applies
every change in one transaction, or nothing. It is idempotent (an unchanged file changes
nothing) and never removes ownership: decisions absent from the file are left as they are.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app import lifecycle
from app.graph import Graph
from app.lifecycle import ConflictError, OwnershipError, TargetPlatform, Team

OWNERS_FORMAT_VERSION: Literal[1] = 1


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EnforcementSpec(_Strict):
    """The target control; ``reference: null`` means no native equivalent (a process)."""

    platform: str = Field(min_length=1)
    reference: str | None = None
    kind: str | None = None


class VerificationSpec(_Strict):
    """The latest verification."""

    method: Literal["config_check", "dr_drill", "test_alert"]
    result: Literal["pass", "fail"]
    by: str | None = None
    at: str | None = None


class DecisionOwnership(_Strict):
    """One decision's ownership. ``summary`` is for readers and ignored on import."""

    id: str = Field(min_length=1)
    summary: str | None = None
    team: str = Field(min_length=1)
    status: Literal["assigned", "accepted", "enforced", "verified"]
    enforcement: EnforcementSpec | None = None
    verification: VerificationSpec | None = None


class OwnersFile(_Strict):
    """The whole file."""

    version: Literal[1] = OWNERS_FORMAT_VERSION
    teams: list[Team] = Field(default_factory=list)
    platforms: list[TargetPlatform] = Field(default_factory=list)
    decisions: list[DecisionOwnership] = Field(default_factory=list)


class OwnersFileError(ValueError):
    """The file is not valid; the message says where."""


def export(graph: Graph) -> OwnersFile:
    """Teams, platforms and every owned decision."""
    teams, platforms = lifecycle.teams(graph), lifecycle.platforms(graph)
    decisions = [
        DecisionOwnership(
            id=r["id"],
            summary=r["summary"],
            team=r["team"],
            status=r["status"],
            enforcement=r["enforcement"],
            verification=r["verification"],
        )
        for r in graph.read("ownership/export")
    ]
    return OwnersFile(teams=teams, platforms=platforms, decisions=decisions)


def dump(owners: OwnersFile) -> str:
    """The YAML text (stable key order, for reviewable diffs)."""
    data = owners.model_dump(mode="json", exclude_none=True)
    return "# authmap ownership file: `authmap owners import` applies it.\n" + yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, width=100
    )


class _UniqueKeyLoader(yaml.SafeLoader):
    """The safe loader, refusing a key given twice in one mapping (YAML would keep the last
    silently, so a reviewer could read one team while another is imported)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """A YAML error on one line: where and what."""
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        return f"{where}{exc.problem}"
    return " ".join(str(exc).split())


def parse(path: Path) -> OwnersFile:
    """Read and validate a file (raises :class:`OwnersFileError` naming the problem)."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)  # noqa: S506
    except (OSError, UnicodeDecodeError) as exc:
        raise OwnersFileError(f"{path}: cannot read: {exc}") from None
    except yaml.YAMLError as exc:
        raise OwnersFileError(f"{path}: not YAML: {_yaml_problem(exc)}") from None
    try:
        owners = OwnersFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise OwnersFileError(f"{path}: {where}: {first['msg']}") from None
    ids = [d.id for d in owners.decisions]
    if len(ids) != len(set(ids)):
        raise OwnersFileError(f"{path}: a decision is listed twice")
    for d in owners.decisions:
        if d.status in ("enforced", "verified") and d.enforcement is None:
            raise OwnersFileError(f"{path}: decision {d.id} is {d.status} without enforcement")
        if d.status == "verified" and (d.verification is None or d.verification.result != "pass"):
            raise OwnersFileError(
                f"{path}: decision {d.id} is verified without a passing verification"
            )
    return owners


def _comparable(d: DecisionOwnership) -> tuple[Any, ...]:
    e, v = d.enforcement, d.verification
    return (
        d.team,
        d.status,
        (e.platform, e.reference) if e else None,
        (v.method, v.result) if v else None,
    )


def plan(
    graph: Graph, owners: OwnersFile
) -> list[tuple[DecisionOwnership, DecisionOwnership | None, int]]:
    """The changes an import would make: (wanted, current or None, current version)."""
    found = {
        r["id"]: r
        for r in graph.read(
            "ownership/decision_versions", {"ids": [d.id for d in owners.decisions]}
        )
    }
    missing = [i for i, r in found.items() if not r["exists"]]
    if missing:
        raise OwnersFileError(
            f"unknown decision id(s): {', '.join(sorted(missing)[:10])}"
            + (" ..." if len(missing) > 10 else "")
        )
    teams = {t.name for t in owners.teams} | {t.name for t in lifecycle.teams(graph)}
    unknown_teams = sorted({d.team for d in owners.decisions} - teams)
    if unknown_teams:
        raise OwnersFileError(f"unknown team(s): {', '.join(unknown_teams)}")
    current = {d.id: d for d in export(graph).decisions}
    changes = []
    for wanted in owners.decisions:
        now = current.get(wanted.id)
        if now is None or _comparable(now) != _comparable(wanted):
            changes.append((wanted, now, int(found[wanted.id]["version"])))
    return changes


def apply(graph: Graph, owners: OwnersFile, actor: str) -> int:
    """Apply the file in one transaction (all or nothing); returns the decisions changed."""
    changes = plan(graph, owners)
    rows = []
    for wanted, now, version in changes:
        e_changed = wanted.enforcement is not None and (
            now is None
            or now.enforcement is None
            or (now.enforcement.platform, now.enforcement.reference)
            != (wanted.enforcement.platform, wanted.enforcement.reference)
        )
        v_changed = wanted.verification is not None and (
            e_changed
            or now is None
            or now.verification is None
            or (now.verification.method, now.verification.result)
            != (wanted.verification.method, wanted.verification.result)
        )
        rows.append(
            {
                "id": wanted.id,
                "team": wanted.team,
                "status": wanted.status,
                "expected_version": version,
                "new_enforcement": wanted.enforcement.model_dump()
                if e_changed and wanted.enforcement
                else None,
                "new_verification": wanted.verification.model_dump()
                if v_changed and wanted.verification
                else None,
            }
        )

    def check(result: list[dict[str, Any]]) -> None:
        applied = int(result[0]["applied"]) if result else 0
        if applied != len(rows):
            raise ConflictError(
                f"{len(rows) - applied} decision(s) changed while importing: "
                "nothing was written; run the import again"
            )

    if not rows and not owners.teams and not owners.platforms:
        return 0
    graph.write(
        "ownership/import",
        {
            "teams": [t.model_dump() for t in owners.teams],
            "platforms": [p.model_dump() for p in owners.platforms],
            "rows": rows,
            "actor": actor,
        },
        check=check,
    )
    return len(rows)


__all__ = [
    "OwnersFile",
    "OwnersFileError",
    "OwnershipError",
    "apply",
    "dump",
    "export",
    "parse",
    "plan",
]
