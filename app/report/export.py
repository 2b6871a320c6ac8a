"""The report's machine-readable files, written beside the pages: ``readiness.json`` (every
figure and every list, complete; the shape is documented in docs/decisions.md) and one CSV per
list (``vacuums.csv``, ``visibility-gaps.csv``, ``uncovered-vms.csv``)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from app.report.charts import pct
from app.report.model import Report, ReportList

JSON_FORMAT = "authmap-readiness"
JSON_VERSION = 1


def csv_name(lst: ReportList) -> str:
    """The file name of a list's CSV."""
    return f"{lst.key}.csv"


def to_data(report: Report) -> dict[str, Any]:
    """The report as one JSON-ready object (``format``/``version`` name its shape)."""
    t = report.total
    return {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "generated_at": report.generated_at.isoformat(),
        "readiness": {
            "verified": t.verified,
            "inventoried": t.inventoried,
            "share": pct(t.verified, t.inventoried),
        },
        "categories": [c.model_dump() for c in [*report.categories, t]],
        "workstreams": [{"workstream": w, "done": d, "of": o} for w, d, o in report.workstreams()],
        "timeline": [m.model_dump() for m in report.timeline],
        "visibility": report.visibility.model_dump(),
        "audits": report.audits,
        "lists": {
            lst.key: {
                "title": lst.title,
                "columns": lst.columns,
                "total": lst.total,
                "shown": lst.shown,
                "csv": csv_name(lst),
                "rows": lst.rows,
            }
            for lst in report.lists
        },
    }


def to_json(report: Report) -> str:
    """The report as JSON text."""
    return json.dumps(to_data(report), indent=2, ensure_ascii=False, default=str) + "\n"


def to_csv(lst: ReportList) -> str:
    """Every row of one list as CSV, with a header row of its columns."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=lst.columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(lst.rows)
    return buffer.getvalue()


def write_report(report: Report, out_dir: Path, viewer: str | None = None) -> list[Path]:
    """Write readiness.md, readiness.html, readiness.json and the CSVs into ``out_dir``
    (created if missing); return the paths written. ``viewer`` is the base URL of a running
    ``authmap serve``, for links from the HTML page into the viewer."""
    from app.report.html import to_html
    from app.report.markdown import to_markdown

    out_dir.mkdir(parents=True, exist_ok=True)
    files = {
        "readiness.md": to_markdown(report),
        "readiness.html": to_html(report, viewer=viewer),
        "readiness.json": to_json(report),
        **{csv_name(lst): to_csv(lst) for lst in report.lists},
    }
    written = []
    for name, text in files.items():
        path = out_dir / name
        path.write_text(text, encoding="utf-8", newline="")
        written.append(path)
    return written
