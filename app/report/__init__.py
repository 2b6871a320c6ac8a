"""The Day-90 readiness report: per category and per workstream, how many decisions are
inventoried, owned, enforced and verified, the Day-1/7/30/90/180 timeline, and the vacuums
ranked by blast radius; as Markdown, HTML (inline SVG charts), JSON and CSV."""

from app.report.export import to_csv, to_data, to_json, write_report
from app.report.html import to_html
from app.report.markdown import to_markdown
from app.report.model import (
    TOP,
    CategoryReadiness,
    Milestone,
    Report,
    ReportList,
    Visibility,
    build_report,
    read_categories,
)

__all__ = [
    "TOP",
    "CategoryReadiness",
    "Milestone",
    "Report",
    "ReportList",
    "Visibility",
    "build_report",
    "read_categories",
    "to_csv",
    "to_data",
    "to_html",
    "to_json",
    "to_markdown",
    "write_report",
]
