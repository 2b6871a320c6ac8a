"""The readiness report as Markdown: the same sections as the HTML page, as tables."""

from __future__ import annotations

from app.report.charts import pct
from app.report.export import csv_name
from app.report.model import Report, ReportList, Visibility, parity_counts


def _cell(value: object) -> str:
    return "" if value is None else str(value).replace("|", "/").replace("\n", " ")


def decision_cell(row: dict[str, object]) -> str:
    """A decision (or VM) as its name followed by its id, which every command accepts."""
    return f"{_cell(row['name'])} (`{row['id']}`)"


def cut_note(lst: ReportList) -> str:
    """What the page shows of a list and where the rest is."""
    if lst.cut:
        return (
            f"Showing {lst.shown} of {lst.total}; all {lst.total} are in "
            f"{csv_name(lst)} and readiness.json."
        )
    return f"All {lst.total} shown (also in {csv_name(lst)} and readiness.json)."


def _readiness(report: Report) -> list[str]:
    t = report.total
    lines = [
        "## Migration success timeline",
        "",
        "| milestone | signal | measure | done | of | share |",
        "|---|---|---|---:|---:|---:|",
    ]
    lines += [
        f"| Day {m.day} | {m.signal} | {m.measure} | {m.done} | {m.of} | {pct(m.done, m.of)} |"
        for m in report.timeline
    ]
    lines += [
        "",
        "## By category",
        "",
        "| category | inventoried | owned | enforced | verified | readiness |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {c.category} | {c.inventoried} | {c.owned} | {c.enforced} | "
        f"{c.verified} | {pct(c.verified, c.inventoried)} |"
        for c in [*report.categories, t]
    ]
    lines += ["", "## By workstream", "", "| workstream | done | of | share |"]
    lines.append("|---|---:|---:|---:|")
    lines += [f"| {w} | {d} | {o} | {pct(d, o)} |" for w, d, o in report.workstreams()]
    return lines


def _visibility(v: Visibility, gaps: ReportList, uncovered: ReportList) -> list[str]:
    lines = [
        "",
        "## Visibility: alarms and notification routes",
        "",
        f"**{v.verified} of {v.decisions}** vCenter alarms and notification routes have a "
        f"verified replacement on the target; **{v.covered} of {v.vms}** VMs are covered by "
        "an alarm whose replacement is verified.",
        "",
        f"{gaps.title}: {cut_note(gaps)}",
        "",
        "| kind | decision | status | gap | VMs affected | summary |",
        "|---|---|---|---|---:|---|",
    ]
    lines += [
        f"| {g['kind']} | {decision_cell(g)} | {g['status']} | {g['gap']} | "
        f"{g['blast_radius']} | {_cell(g['summary'])} |"
        for g in gaps.rows[: gaps.shown]
    ]
    if uncovered.rows:
        lines += ["", f"VMs no verified alarm covers: {cut_note(uncovered)}", ""]
        lines += [f"- {row['summary']}" for row in uncovered.rows[: uncovered.shown]]
    return lines


def parity_lead(lst: ReportList) -> str:
    """The sentence above the parity list: how the verified decisions were verified."""
    c = parity_counts(lst.rows)
    return (
        f"{c['read']} decisions judged by a target read (authmap parity). Of the verified: "
        f"{c['target_read']} by target read, {c['person']} by a person only, "
        f"{c['contradicted']} of them contradicted by the latest target read (drifted or "
        "missing)."
    )


def _parity(lst: ReportList | None) -> list[str]:
    if lst is None:
        return []
    lines = ["", f"## {lst.title}", "", parity_lead(lst), "", cut_note(lst), ""]
    lines += [
        "| decision | status | verified by | parity | target | at |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {decision_cell(r)} | {r['status']} | {_cell(r['verified_by'])} | "
        f"{_cell(r['parity'] or 'not read')} | {_cell(r['target'])} | {_cell(r['parity_at'])} |"
        for r in lst.rows[: lst.shown]
    ]
    return lines


def to_markdown(report: Report) -> str:
    """The report as Markdown."""
    t = report.total
    vacuums = report.vacuums
    lines = [
        "# Day-90 readiness",
        "",
        f"Generated {report.generated_at:%Y-%m-%d %H:%M} UTC. **{pct(t.verified, t.inventoried)}"
        f"** of the {t.inventoried} decisions the source platform makes on its own are owned, "
        "enforced and verified on the target.",
        "",
        *_readiness(report),
        "",
        f"## {vacuums.title}",
        "",
        cut_note(vacuums),
        "",
        "| decision | category | VMs affected | summary |",
        "|---|---|---:|---|",
    ]
    lines += [
        f"| {decision_cell(v)} | {v['category']} | {v['blast_radius']} | {_cell(v['summary'])} |"
        for v in vacuums.rows[: vacuums.shown]
    ]
    lines += _visibility(report.visibility, report.gaps, report.uncovered)
    lines += _parity(report.parity)
    lines += ["", "## Audits", "", "| audit | severity | findings | of |", "|---|---|---:|---:|"]
    lines += [
        f"| {a['id']} | {a['severity']} | {a['count']} | {a['total']} |" for a in report.audits
    ]
    return "\n".join(lines) + "\n"
