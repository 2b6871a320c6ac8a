"""The readiness report as one self-contained HTML page: inline SVG charts, tables that say
how much of each list they show, decision names linked to a details section (and, given the
viewer's URL, into the viewer), styled to print on A4 as well as it reads on screen."""

from __future__ import annotations

import hashlib
from html import escape
from urllib.parse import quote

from app.report.charts import category_chart, pct, timeline_chart, workstream_chart
from app.report.export import csv_name
from app.report.markdown import cut_note, parity_lead
from app.report.model import Report, ReportList

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;color:#111;line-height:1.4;
  margin:2rem auto;max-width:62rem;padding:0 1rem}
h1{margin-bottom:.2rem} h2{margin-top:2rem;border-bottom:2px solid #111}
table{border-collapse:collapse;margin:.5rem 0 1.5rem;width:100%}
td,th{border:1px solid #888;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#eee} td.num,th.num{text-align:right}
code{font-size:.85em;word-break:break-all} code.id{color:#333}
td.summary{overflow-wrap:anywhere}
.lead{font-size:1.15rem} .cut{font-weight:600}
figure{margin:1rem 0} figcaption{font-size:.9rem;color:#333;margin-top:.3rem}
svg.chart text{fill:#111}
@page{size:A4;margin:14mm}
@media print{
  body{margin:0;max-width:none;padding:0;font-size:10pt}
  h2{break-after:avoid} figure,svg,tr{break-inside:avoid} thead{display:table-header-group}
  a{color:inherit;text-decoration:none} th{background:none;border-bottom:2px solid #111}
}
"""


def anchor(decision_id: str) -> str:
    """The HTML id of a decision's entry in the details section."""
    return "d-" + hashlib.sha256(decision_id.encode()).hexdigest()[:12]


def viewer_hash(decision_id: str) -> str:
    """The viewer route that opens a decision in the graph and selects it."""
    q = quote(decision_id, safe="")
    return f"#/graph?steps=o{q}&focus={q}"


def _table(head: list[str], rows: list[list[str]], numeric: set[int] | None = None) -> str:
    """A table of cells that are already HTML; columns in ``numeric`` align right."""
    numeric = numeric or set()

    def cls(i: int) -> str:
        return " class='num'" if i in numeric else ""

    out = ["<table><thead><tr>"]
    out += [f"<th{cls(i)}>{escape(h)}</th>" for i, h in enumerate(head)]
    out.append("</tr></thead><tbody>")
    for row in rows:
        out.append("<tr>" + "".join(f"<td{cls(i)}>{c}</td>" for i, c in enumerate(row)) + "</tr>")
    return "".join(out) + "</tbody></table>"


def _text(value: object) -> str:
    return "" if value is None else escape(str(value))


def _decision(row: dict[str, object]) -> str:
    """A decision cell: its name, linked to its details, and its id."""
    ident = str(row["id"])
    return (
        f"<a href='#{anchor(ident)}'>{_text(row['name'])}</a><br>"
        f"<code class='id'>{escape(ident)}</code>"
    )


def _cut(lst: ReportList) -> str:
    """The list's note (as in the Markdown), with its file names as links."""
    text = escape(cut_note(lst))
    for name in (csv_name(lst), "readiness.json"):
        text = text.replace(name, f"<a href='{name}'>{name}</a>", 1)
    return (
        f"<p class='cut' data-list='{lst.key}' data-shown='{lst.shown}' "
        f"data-total='{lst.total}'>{text}</p>"
    )


def _readiness(report: Report) -> list[str]:
    t = report.total
    return [
        "<h2>Migration success timeline</h2><figure>",
        timeline_chart(report.timeline),
        "<figcaption>What is ready for each milestone of the timeline: filled share of each "
        "column, numbers above it; Day 90 is this report's headline.</figcaption></figure>",
        "<h2>By category</h2><figure>",
        category_chart(report.categories),
        "</figure>",
        _table(
            ["category", "inventoried", "owned", "enforced", "verified", "readiness"],
            [
                [
                    _text(c.category),
                    *(str(n) for n in (c.inventoried, c.owned, c.enforced, c.verified)),
                    pct(c.verified, c.inventoried),
                ]
                for c in [*report.categories, t]
            ],
            {1, 2, 3, 4, 5},
        ),
        "<h2>By workstream</h2><figure>",
        workstream_chart(report.workstreams()),
        "</figure>",
        _table(
            ["workstream", "done", "of", "share"],
            [[_text(w), str(d), str(o), pct(d, o)] for w, d, o in report.workstreams()],
            {1, 2, 3},
        ),
    ]


def _lists(report: Report) -> list[str]:
    v, vacuums, gaps, uncovered = report.visibility, report.vacuums, report.gaps, report.uncovered
    return [
        f"<h2 id='{vacuums.key}'>{escape(vacuums.title)}</h2>",
        _cut(vacuums),
        _table(
            ["decision", "category", "VMs affected", "summary"],
            [
                [_decision(r), _text(r["category"]), _text(r["blast_radius"]), _text(r["summary"])]
                for r in vacuums.rows[: vacuums.shown]
            ],
            {2},
        ),
        "<h2>Visibility: alarms and notification routes</h2>",
        f"<p>{v.verified} of {v.decisions} vCenter alarms and notification routes have a "
        f"verified replacement on the target; {v.covered} of {v.vms} VMs are covered by an "
        "alarm whose replacement is verified.</p>",
        f"<h3>{escape(gaps.title)}</h3>",
        _cut(gaps),
        _table(
            ["kind", "decision", "status", "gap", "VMs affected", "summary"],
            [
                [
                    _text(g["kind"]),
                    _decision(g),
                    _text(g["status"]),
                    _text(g["gap"]),
                    _text(g["blast_radius"]),
                    _text(g["summary"]),
                ]
                for g in gaps.rows[: gaps.shown]
            ],
            {4},
        ),
        f"<h3>{escape(uncovered.title)}</h3>",
        _cut(uncovered),
        "<ul>"
        + "".join(f"<li>{_text(r['summary'])}</li>" for r in uncovered.rows[: uncovered.shown])
        + "</ul>",
    ]


def _parity(lst: ReportList | None) -> list[str]:
    """Per decision: who verified it and what the latest target read found."""
    if lst is None:
        return []
    return [
        f"<h2 id='{lst.key}'>{escape(lst.title)}</h2>",
        f"<p>{escape(parity_lead(lst))}</p>",
        _cut(lst),
        _table(
            ["decision", "status", "verified by", "parity", "target", "at"],
            [
                [
                    f"{_text(r['name'])}<br><code>{escape(str(r['id']))}</code>",
                    _text(r["status"]),
                    _text(r["verified_by"]),
                    f"<span class='parity' data-parity='{_text(r['parity'] or 'none')}'>"
                    f"{_text(r['parity'] or 'not read')}</span>",
                    _text(r["target"]),
                    _text(r["parity_at"]),
                ]
                for r in lst.rows[: lst.shown]
            ],
        ),
    ]


def _details(report: Report, viewer: str | None) -> list[str]:
    """One entry per decision the page names, with everything known about it."""
    seen: dict[str, dict[str, object]] = {}
    for lst in (report.vacuums, report.gaps):
        for row in lst.rows[: lst.shown]:
            seen.setdefault(str(row["id"]), row)
    base = viewer.rstrip("/") + "/" if viewer else None
    items = []
    for ident, row in seen.items():
        link = (
            f"<br><a href='{escape(base + viewer_hash(ident))}'>open in the viewer</a>"
            if base
            else ""
        )
        items.append(
            f"<tr id='{anchor(ident)}'><td><strong>{_text(row['name'])}</strong><br>"
            f"<code class='id'>{escape(ident)}</code></td><td>{_text(row['kind'])}<br>"
            f"{_text(row['category'])}<br>{_text(row['status'])}"
            f"{'<br>' + _text(row['owner']) if row.get('owner') else ''}</td>"
            f"<td class='summary'>{_text(row['summary'])}{link}</td></tr>"
        )
    return [
        "<h2 id='decisions'>Decisions named in this report</h2>",
        "<p>Each opens in the viewer of a running <code>authmap serve</code> at "
        "<code>/#/graph?steps=o&lt;id&gt;&amp;focus=&lt;id&gt;</code> (the id URL-encoded); "
        "<code>authmap report --viewer URL</code> links every entry there.</p>"
        if base is None
        else "",
        "<table><thead><tr><th>decision</th><th>kind, category, status, owner</th>"
        "<th>summary</th></tr></thead><tbody>" + "".join(items) + "</tbody></table>",
    ]


def to_html(report: Report, viewer: str | None = None) -> str:
    """The report as a self-contained HTML page (``viewer``: base URL of ``authmap serve``
    for links into the viewer)."""
    t = report.total
    files = " · ".join(
        f"<a href='{n}'>{n}</a>"
        for n in ["readiness.md", "readiness.json", *(csv_name(lst) for lst in report.lists)]
    )
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>Day-90 readiness</title><style>{STYLE}</style></head><body>",
        f"<h1>Day-90 readiness: {escape(pct(t.verified, t.inventoried))}</h1>",
        f"<p class='lead'><strong>{t.verified} of {t.inventoried}</strong> decisions the source "
        "platform makes on its own are owned, enforced and verified on the target.</p>",
        f"<p>Generated {report.generated_at:%Y-%m-%d %H:%M} UTC. Full lists: {files}</p>",
        *_readiness(report),
        *_lists(report),
        *_parity(report.parity),
        "<h2>Audits</h2>",
        _table(
            ["audit", "severity", "findings", "of"],
            [
                [_text(a["id"]), _text(a["severity"]), _text(a["count"]), _text(a["total"])]
                for a in report.audits
            ],
            {2, 3},
        ),
        *_details(report, viewer),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"
