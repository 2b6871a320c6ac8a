"""The Day-90 readiness report's content: per category and per workstream, how many decisions
are inventoried, owned, enforced and verified; the Day-1/7/30/90/180 timeline; and the full
lists (authority vacuums, visibility gaps, uncovered VMs) with a display name for every row."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

from app.audits import AuditResult, run_audits
from app.decisions import CATEGORIES
from app.graph import Graph

TOP = 25
"""How many rows of each list the Markdown and HTML pages show (the CSV and JSON hold all)."""

DECISION_COLUMNS = ["id", "name", "category", "kind", "status", "owner", "blast_radius", "summary"]
GAP_COLUMNS = [*DECISION_COLUMNS[:6], "gap", "blast_radius", "summary"]
VM_COLUMNS = ["id", "name", "summary"]
PARITY_COLUMNS = [
    *DECISION_COLUMNS[:6],
    "verified_by",
    "parity",
    "target",
    "parity_at",
    "summary",
]


class CategoryReadiness(BaseModel):
    """Counts for one category."""

    category: str
    inventoried: int = 0
    owned: int = 0
    enforced: int = 0
    verified: int = 0

    @property
    def readiness(self) -> float:
        """Share of decisions verified on the target (1.0 when there are none)."""
        return self.verified / self.inventoried if self.inventoried else 1.0


class Visibility(BaseModel):
    """The observability counts: vCenter alarms and notification routes with a verified
    replacement, and VMs still covered by an alarm whose replacement is verified (from the
    ``visibility-fragmentation`` audit)."""

    decisions: int = 0
    verified: int = 0
    vms: int = 0
    covered: int = 0


class ReportList(BaseModel):
    """One list of the report, complete: the pages show the first ``shown`` rows and say so,
    the CSV and JSON files hold every row. Every row has exactly the keys in ``columns``."""

    key: str = Field(description="File stem of the CSV (``<key>.csv``) and key in the JSON.")
    title: str
    columns: list[str]
    rows: list[dict[str, Any]]
    shown: int

    @property
    def total(self) -> int:
        """How many rows the list has."""
        return len(self.rows)

    @property
    def cut(self) -> bool:
        """Whether the pages show fewer rows than the list has."""
        return self.shown < self.total


class Milestone(BaseModel):
    """One point of the migration success timeline and what authmap measures for it."""

    day: int
    signal: str
    measure: str
    done: int
    of: int


class Report(BaseModel):
    """Everything the report shows."""

    generated_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    categories: list[CategoryReadiness]
    runbooks_total: int
    runbooks_translated: int
    vacuums: ReportList
    gaps: ReportList
    uncovered: ReportList
    audits: list[dict[str, object]]
    visibility: Visibility = Field(default_factory=Visibility)
    timeline: list[Milestone] = Field(default_factory=list)
    parity: ReportList | None = None
    """Per decision: who verified it and what the latest target read found."""

    @property
    def total(self) -> CategoryReadiness:
        """All categories together."""
        total = CategoryReadiness(category="all")
        for c in self.categories:
            total.inventoried += c.inventoried
            total.owned += c.owned
            total.enforced += c.enforced
            total.verified += c.verified
        return total

    @property
    def lists(self) -> list[ReportList]:
        """The report's lists, in page order."""
        found = [self.vacuums, self.gaps, self.uncovered]
        return found + ([self.parity] if self.parity is not None else [])

    def workstreams(self) -> list[tuple[str, int, int]]:
        """(workstream, done, of) for the four workstreams."""
        t = self.total
        return [
            ("Governance inventory (decisions inventoried)", t.inventoried, t.inventoried),
            (
                "Runbook translation (runbooks translated)",
                self.runbooks_translated,
                self.runbooks_total,
            ),
            (
                "Policy re-implementation (decisions enforced and verified)",
                t.verified,
                t.inventoried,
            ),
            ("Authority reassignment (decisions with an accepted owner)", t.owned, t.inventoried),
        ]


def read_categories(graph: Graph) -> list[CategoryReadiness]:
    """Readiness counts for every known category (zeros included), then any other category
    the graph holds."""
    rows = {r["category"]: r for r in graph.read("report/readiness")}
    categories = [CategoryReadiness(**rows.get(c, {"category": c})) for c in CATEGORIES]
    return categories + [CategoryReadiness(**r) for c, r in rows.items() if c not in CATEGORIES]


def _rows(
    findings: list[dict[str, Any]], names: dict[str, str], columns: list[str]
) -> list[dict[str, Any]]:
    """Findings as uniform rows, each with the display name of its decision (or VM)."""
    out = []
    for f in findings:
        row = {c: f.get(c) for c in columns}
        row["id"] = f["decision_id"]
        row["name"] = names.get(f["decision_id"]) or f["decision_id"]
        out.append(row)
    return out


def _list(key: str, title: str, rows: list[dict[str, Any]], top: int) -> ReportList:
    columns = {
        "vacuums": DECISION_COLUMNS,
        "visibility-gaps": GAP_COLUMNS,
        "parity": PARITY_COLUMNS,
    }.get(key, VM_COLUMNS)
    return ReportList(key=key, title=title, columns=columns, rows=rows, shown=min(top, len(rows)))


def _visibility(audit: AuditResult | None, observability: CategoryReadiness) -> Visibility:
    """The counts from the ``visibility-fragmentation`` audit, whose denominator is the
    observability decisions plus the VMs."""
    if audit is None:
        return Visibility()
    vms = audit.total - observability.inventoried
    uncovered = sum(1 for f in audit.findings if f["category"] == "vm")
    return Visibility(
        decisions=observability.inventoried,
        verified=observability.verified,
        vms=vms,
        covered=vms - uncovered,
    )


def timeline(
    total: CategoryReadiness, visibility: Visibility, protecting: AuditResult | None, drilled: int
) -> list[Milestone]:
    """The Day-1/7/30/90/180 milestones of the migration success timeline, each with the
    measure authmap has for it (docs/decisions.md, "The readiness report")."""
    protected = (protecting.total - protecting.count) if protecting else 0
    rows = [
        (1, "Workloads boot", "decisions inventoried before cutover", total.inventoried),
        (7, "Monitoring works", "VMs covered by a verified alarm", visibility.covered),
        (30, "Backups work", "failure-recovery and placement decisions verified", protected),
        (90, "First real incident", "decisions owned, enforced and verified", total.verified),
        (180, "Governance model tested", "decisions verified by a passing DR drill", drilled),
    ]
    of = {7: visibility.vms, 30: protecting.total if protecting else 0}
    return [
        Milestone(
            day=day, signal=signal, measure=measure, done=done, of=of.get(day, total.inventoried)
        )
        for day, signal, measure, done in rows
    ]


def build_report(graph: Graph, top: int = TOP) -> Report:
    """Read everything the report needs; the pages show ``top`` rows of each list."""
    categories = read_categories(graph)
    runbooks = graph.read("report/runbooks")[0]
    names = {r["id"]: r["name"] for r in graph.read("report/names")}
    drilled = int(graph.read("report/drilled")[0]["drilled"])
    audits = {a.id: a for a in run_audits(graph)}
    vacuum = audits["authority-vacuum"]
    fragmentation = audits.get("visibility-fragmentation")
    observability = next(c for c in categories if c.category == "observability")
    visibility = _visibility(fragmentation, observability)
    found = fragmentation.findings if fragmentation else []
    gaps = _rows([f for f in found if f["category"] != "vm"], names, GAP_COLUMNS)
    uncovered = _rows([f for f in found if f["category"] == "vm"], names, VM_COLUMNS)
    vacuums = _rows(vacuum.findings, names, DECISION_COLUMNS)
    report = Report(
        categories=categories,
        runbooks_total=runbooks["total"],
        runbooks_translated=runbooks["translated"],
        vacuums=_list("vacuums", "Authority vacuums, largest blast radius first", vacuums, top),
        gaps=_list(
            "visibility-gaps",
            "Alarms and notification routes without a verified replacement",
            gaps,
            top,
        ),
        uncovered=_list("uncovered-vms", "VMs no verified alarm covers", uncovered, top),
        visibility=visibility,
        audits=[
            {
                "id": a.id,
                "title": a.title,
                "severity": a.severity,
                "count": a.count,
                "total": a.total,
            }
            for a in audits.values()
        ],
    )
    parity = _rows(graph.read("report/parity"), names, PARITY_COLUMNS)
    report.parity = _list("parity", "Parity: what the target read found, per decision", parity, top)
    report.timeline = timeline(
        report.total, visibility, audits.get("unverified-before-drill"), drilled
    )
    return report


def parity_counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    """How the verified decisions of the parity list were verified: ``target_read`` (by a
    parity run that found them enforced), ``person`` (by a person only), ``contradicted`` (a
    person verified them and the latest target read finds them drifted or missing), and how
    many decisions any target read judged (``read``)."""
    verified = [r for r in rows if r["status"] == "verified"]
    return {
        "read": sum(1 for r in rows if r["parity"] is not None),
        "target_read": sum(1 for r in verified if r["verified_by"] == "target-read"),
        "person": sum(1 for r in verified if r["verified_by"] == "person"),
        "contradicted": sum(1 for r in verified if r["parity"] in ("drifted", "missing")),
    }
