"""The Day-90 readiness report: per category and per workstream, how many decisions are
inventoried, owned, enforced and verified, and the vacuums ranked by blast radius."""

from __future__ import annotations

import html
from datetime import UTC, datetime

from pydantic import BaseModel, Field

from app.audits import AuditResult, run_audits
from app.decisions import CATEGORIES
from app.graph import Graph


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
    """The observability section: vCenter alarms and notification routes, and whether every
    VM is still covered by an alarm whose replacement on the target is verified (from the
    ``visibility-fragmentation`` audit)."""

    decisions: int = 0
    verified: int = 0
    vms: int = 0
    covered: int = 0
    gaps: list[dict[str, object]] = Field(default_factory=list)
    uncovered: list[str] = Field(default_factory=list)


def visibility(audit: AuditResult | None, observability: CategoryReadiness, top: int) -> Visibility:
    """The section from the ``visibility-fragmentation`` audit (whose denominator is the
    observability decisions plus the VMs) and the observability readiness counts."""
    if audit is None:
        return Visibility()
    gaps = [f for f in audit.findings if f["category"] != "vm"]
    uncovered = [f for f in audit.findings if f["category"] == "vm"]
    vms = audit.total - observability.inventoried
    return Visibility(
        decisions=observability.inventoried,
        verified=observability.verified,
        vms=vms,
        covered=vms - len(uncovered),
        gaps=gaps[:top],
        uncovered=[str(f["summary"]) for f in uncovered[:top]],
    )


class Report(BaseModel):
    """Everything the report shows."""

    generated_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    categories: list[CategoryReadiness]
    runbooks_total: int
    runbooks_translated: int
    vacuums: list[dict[str, object]]
    audits: list[dict[str, object]]
    visibility: Visibility = Field(default_factory=Visibility)

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


def build_report(graph: Graph, top: int = 25) -> Report:
    """Read everything the report needs."""
    rows = {r["category"]: r for r in graph.read("report/readiness")}
    categories = [CategoryReadiness(**rows.get(c, {"category": c})) for c in CATEGORIES]
    categories += [CategoryReadiness(**r) for c, r in rows.items() if c not in CATEGORIES]
    runbooks = graph.read("report/runbooks")[0]
    audits = run_audits(graph)
    vacuum = next(a for a in audits if a.id == "authority-vacuum")
    fragmentation = next((a for a in audits if a.id == "visibility-fragmentation"), None)
    observability = next(
        (c for c in categories if c.category == "observability"),
        CategoryReadiness(category="observability"),
    )
    return Report(
        categories=categories,
        runbooks_total=runbooks["total"],
        runbooks_translated=runbooks["translated"],
        vacuums=vacuum.findings[:top],
        visibility=visibility(fragmentation, observability, top),
        audits=[
            {
                "id": a.id,
                "title": a.title,
                "severity": a.severity,
                "count": a.count,
                "total": a.total,
            }
            for a in audits
        ],
    )


def _pct(done: int, of: int) -> str:
    return f"{100 * done / of:.0f}%" if of else "n/a"


def to_markdown(report: Report) -> str:
    """The report as Markdown."""
    t = report.total
    lines = [
        "# Day-90 readiness",
        "",
        f"Generated {report.generated_at:%Y-%m-%d %H:%M} UTC. **{_pct(t.verified, t.inventoried)}"
        f"** of the {t.inventoried} decisions the source platform makes on its own are owned, "
        "enforced and verified on the target.",
        "",
        "## By category",
        "",
        "| category | inventoried | owned | enforced | verified | readiness |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for c in [*report.categories, t]:
        lines.append(
            f"| {c.category} | {c.inventoried} | {c.owned} | {c.enforced} | "
            f"{c.verified} | {_pct(c.verified, c.inventoried)} |"
        )
    lines += [
        "",
        "## By workstream",
        "",
        "| workstream | done | of | share |",
        "|---|---:|---:|---:|",
    ]
    lines += [f"| {w} | {d} | {o} | {_pct(d, o)} |" for w, d, o in report.workstreams()]
    lines += [
        "",
        "## Authority vacuums, largest blast radius first",
        "",
        "| decision | category | VMs affected | summary |",
        "|---|---|---:|---|",
    ]
    lines += [
        f"| `{v['decision_id']}` | {v['category']} | {v.get('blast_radius', '')} | "
        f"{str(v['summary']).replace('|', '/')} |"
        for v in report.vacuums
    ]
    lines += _visibility_markdown(report.visibility)
    lines += ["", "## Audits", "", "| audit | severity | findings | of |", "|---|---|---:|---:|"]
    lines += [
        f"| {a['id']} | {a['severity']} | {a['count']} | {a['total']} |" for a in report.audits
    ]
    return "\n".join(lines) + "\n"


def _visibility_markdown(v: Visibility) -> list[str]:
    lines = [
        "",
        "## Visibility: alarms and notification routes",
        "",
        f"**{v.verified} of {v.decisions}** vCenter alarms and notification routes have a "
        f"verified replacement on the target; **{v.covered} of {v.vms}** VMs are covered by "
        "an alarm whose replacement is verified.",
        "",
        "| kind | decision | status | gap | VMs affected | summary |",
        "|---|---|---|---|---:|---|",
    ]
    lines += [
        f"| {g['kind']} | `{g['decision_id']}` | {g['status']} | {g['gap']} | "
        f"{g['blast_radius']} | {str(g['summary']).replace('|', '/')} |"
        for g in v.gaps
    ]
    if v.uncovered:
        lines += ["", "VMs no verified alarm covers:", ""]
        lines += [f"- {text}" for text in v.uncovered]
    return lines


def to_html(report: Report) -> str:
    """The report as a self-contained HTML page."""
    e = html.escape
    t = report.total

    def table(head: list[str], rows: list[list[object]]) -> str:
        out = ["<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr>"]
        out += ["<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in row) + "</tr>" for row in rows]
        return "".join(out) + "</table>"

    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Day-90 readiness"
        "</title><style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:"
        "collapse;margin-bottom:1.5rem}td,th{border:1px solid #ccc;padding:.25rem .5rem;"
        "text-align:left}</style></head><body>",
        f"<h1>Day-90 readiness: {e(_pct(t.verified, t.inventoried))}</h1>",
        f"<p>Generated {report.generated_at:%Y-%m-%d %H:%M} UTC; {t.inventoried} decisions.</p>",
        "<h2>By category</h2>",
        table(
            ["category", "inventoried", "owned", "enforced", "verified", "readiness"],
            [
                [
                    c.category,
                    c.inventoried,
                    c.owned,
                    c.enforced,
                    c.verified,
                    _pct(c.verified, c.inventoried),
                ]
                for c in [*report.categories, t]
            ],
        ),
        "<h2>By workstream</h2>",
        table(
            ["workstream", "done", "of", "share"],
            [[w, d, o, _pct(d, o)] for w, d, o in report.workstreams()],
        ),
        "<h2>Authority vacuums, largest blast radius first</h2>",
        table(
            ["decision", "category", "VMs affected", "summary"],
            [
                [v["decision_id"], v["category"], v.get("blast_radius", ""), v["summary"]]
                for v in report.vacuums
            ],
        ),
        "<h2>Visibility: alarms and notification routes</h2>",
        f"<p>{report.visibility.verified} of {report.visibility.decisions} vCenter alarms and "
        "notification routes have a verified replacement on the target; "
        f"{report.visibility.covered} of {report.visibility.vms} VMs are covered by an alarm "
        "whose replacement is verified.</p>",
        table(
            ["kind", "decision", "status", "gap", "VMs affected", "summary"],
            [
                [
                    g["kind"],
                    g["decision_id"],
                    g["status"],
                    g["gap"],
                    g["blast_radius"],
                    g["summary"],
                ]
                for g in report.visibility.gaps
            ],
        ),
        "<ul>" + "".join(f"<li>{e(t)}</li>" for t in report.visibility.uncovered) + "</ul>",
        "<h2>Audits</h2>",
        table(
            ["audit", "severity", "findings", "of"],
            [[a["id"], a["severity"], a["count"], a["total"]] for a in report.audits],
        ),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"
