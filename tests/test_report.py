"""``authmap report`` on the demo estate in the real Neo4j: every list says how much of it the
pages show ("Showing 25 of 48") and the CSV and JSON beside them hold every row; decisions
appear by name with their ids, linked to their details (and into the viewer); the inline SVG
charts carry the graph's numbers in their labels; printed on A4 nothing is cut off.

The expected figures come from Cypher run directly with the driver (``query``), not from
authmap's report code."""

from __future__ import annotations

import csv
import json
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import ViewportSize, sync_playwright

from app.graph import Graph
from demo.load import steps
from tests.conftest import REPO, Neo4jInstance, query
from tests.support.service import serve
from tests.support.viewer import CHROMIUM, CHROMIUM_ARGS

OWNED = ["accepted", "enforced", "verified"]
TOP = 25
VOID = {"meta", "br", "link", "img", "input", "hr"}
# A4 minus 14 mm margins at 96 dpi: the area a printed page gives the report.
A4_CONTENT: ViewportSize = {"width": 688, "height": 1017}


class Node:
    """An element of the parsed page."""

    def __init__(self, tag: str, attrs: dict[str, str], parent: Node | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node] = []
        self.parts: list[str] = []

    @property
    def text(self) -> str:
        """The text inside, children included."""
        return "".join(self.parts)

    def find(self, tag: str, **attrs: str) -> list[Node]:
        """Descendants with this tag whose attributes contain ``attrs`` (``class_`` for class)."""
        want = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()}
        out = []
        for child in self.children:
            if child.tag == tag and all(
                v in child.attrs.get(k, "").split() if k == "class" else child.attrs.get(k) == v
                for k, v in want.items()
            ):
                out.append(child)
            out += child.find(tag, **attrs)
        return out


class Tree(HTMLParser):
    """A small tree builder (the standard library's tokenizer; no third-party parser)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.root = self.at = Node("root", {}, None)
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, self.at)
        self.at.children.append(node)
        if tag not in VOID:
            self.at = node

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self.at
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.at = node.parent

    def handle_data(self, data: str) -> None:
        node: Node | None = self.at
        while node is not None:
            node.parts.append(data)
            node = node.parent


@pytest.fixture(scope="module")
def demo(neo4j_instance: Neo4jInstance) -> Neo4jInstance:
    """An emptied graph with the demo estate loaded as ``make demo`` loads it."""
    with Graph(neo4j_instance.settings()) as graph:
        graph.write_chunked("admin/wipe", {})
        graph.apply_schema()
    for args in steps():
        neo4j_instance.cli(*args, check=True)
    return neo4j_instance


@pytest.fixture(scope="module")
def out(demo: Neo4jInstance, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of the demo, written by the CLI."""
    path = tmp_path_factory.mktemp("report")
    proc = demo.cli("report", "--out", str(path), check=True)
    assert "decisions verified" in proc.stdout and "vacuums.csv" in proc.stdout
    return path


def _name(row: dict[str, Any]) -> str:
    """The documented display name: the first three evidence names joined by ' · '."""
    names = row["names"] or []
    if not names:
        return str(row["summary"])
    more = f" (+{len(names) - 3} more)" if len(names) > 3 else ""
    return " · ".join(names[:3]) + more


def _expected(instance: Neo4jInstance) -> dict[str, dict[str, str]]:
    """Per list, id -> display name, straight from the graph."""
    vacuums = query(
        instance,
        "MATCH (d:Decision {status: 'active'}) "
        "WHERE NOT coalesce(d.ownership_status, 'unowned') IN $owned "
        "RETURN d.id AS id, d.evidence_names AS names, d.summary AS summary",
        owned=OWNED,
    )
    gaps = query(
        instance,
        "MATCH (d:Decision {status: 'active', category: 'observability'}) "
        "WHERE coalesce(d.ownership_status, 'unowned') <> 'verified' "
        "RETURN d.id AS id, d.evidence_names AS names, d.summary AS summary",
    )
    vms = query(
        instance,
        "MATCH (vm:VirtualMachine) WHERE NOT coalesce(vm.template, false) AND NOT EXISTS { "
        "(:Decision {status: 'active', kind: 'alarm', ownership_status: 'verified'})"
        "-[:AFFECTS]->(vm) } RETURN vm.id AS id, vm.name AS name",
    )
    return {
        "vacuums": {r["id"]: _name(r) for r in vacuums},
        "visibility-gaps": {r["id"]: _name(r) for r in gaps},
        "uncovered-vms": {r["id"]: r["name"] for r in vms},
    }


def _pct(done: int, of: int) -> str:
    return f"{100 * done / of:.0f}%" if of else "n/a"


def _page(out: Path) -> Node:
    return Tree((out / "readiness.html").read_text(encoding="utf-8")).root


def test_lists_say_what_is_shown_and_the_files_hold_every_row(
    demo: Neo4jInstance, out: Path
) -> None:
    expected = _expected(demo)
    assert len(expected["vacuums"]) > TOP and len(expected["uncovered-vms"]) > TOP  # both cut
    page = _page(out)
    markdown = (out / "readiness.md").read_text(encoding="utf-8")
    data = json.loads((out / "readiness.json").read_text(encoding="utf-8"))
    assert (data["format"], data["version"]) == ("authmap-readiness", 1)
    for key, ids in expected.items():
        total, shown = len(ids), min(TOP, len(ids))
        (note,) = page.find("p", class_="cut", data_list=key)
        assert (note.attrs["data-shown"], note.attrs["data-total"]) == (str(shown), str(total))
        said = f"Showing {shown} of {total}; all {total} are in {key}.csv and readiness.json."
        if shown == total:
            said = f"All {total} shown (also in {key}.csv and readiness.json)."
        assert note.text.startswith(said) and said in markdown
        with (out / f"{key}.csv").open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        assert len(rows) == total and {r["id"]: r["name"] for r in rows} == ids
        listed = data["lists"][key]
        assert (listed["total"], listed["shown"], listed["csv"]) == (total, shown, f"{key}.csv")
        assert [r["id"] for r in listed["rows"]] == [r["id"] for r in rows]
        assert all(list(r) == listed["columns"] for r in listed["rows"])
    vacuum_radii = [r["blast_radius"] for r in data["lists"]["vacuums"]["rows"]]
    assert vacuum_radii == sorted(vacuum_radii, reverse=True)
    vacuum_table = page.find("table")[2]  # after the category and workstream tables
    assert [th.text for th in vacuum_table.find("th")][:2] == ["decision", "category"]
    assert len(vacuum_table.find("tr")) == 1 + TOP  # the header and the 25 shown
    for block in markdown.split("\n\n"):  # every Markdown table is rectangular
        widths = {line.count("|") for line in block.splitlines() if line.startswith("|")}
        assert len(widths) <= 1, block


def test_decisions_appear_by_name_with_ids_linked_to_their_details(
    demo: Neo4jInstance, out: Path, tmp_path: Path
) -> None:
    expected = _expected(demo)
    names = {**expected["vacuums"], **expected["visibility-gaps"]}
    page = _page(out)
    targets = {n.attrs["id"] for n in page.find("tr") if "id" in n.attrs}
    links = [a for a in page.find("a") if a.attrs.get("href", "").startswith("#d-")]
    assert len(links) == TOP + len(expected["visibility-gaps"])
    for link in links:
        cell = link.parent
        assert cell is not None
        (ident,) = [c.text for c in cell.find("code", class_="id")]
        assert link.text == names[ident] and link.text != ident
        assert link.attrs["href"][1:] in targets
    assert "Host error · Datacenters" in {a.text for a in links}
    markdown = (out / "readiness.md").read_text(encoding="utf-8")
    shown = json.loads((out / "readiness.json").read_text())["lists"]["vacuums"]["rows"][:TOP]
    for row in shown:
        assert f"| {row['name'].replace('|', '/')} (`{row['id']}`) | {row['category']} |" in (
            markdown
        )
    demo.cli("report", "--out", str(tmp_path), "--viewer", "http://127.0.0.1:8000/", check=True)
    viewer = _page(tmp_path)
    hrefs = {a.attrs["href"] for a in viewer.find("a")}
    for ident in [r["id"] for r in shown]:
        q = quote(ident, safe="")
        assert f"http://127.0.0.1:8000/#/graph?steps=o{q}&focus={q}" in hrefs


def test_charts_carry_the_graph_numbers(demo: Neo4jInstance, out: Path) -> None:
    page = _page(out)
    charts = {svg.attrs["id"]: svg for svg in page.find("svg", class_="chart")}
    assert set(charts) == {"chart-cat", "chart-ws", "chart-timeline"}
    for svg in charts.values():
        assert svg.find("title") and svg.find("desc") and svg.attrs["role"] == "img"
    rows = query(
        demo,
        "MATCH (d:Decision {status: 'active'}) "
        "WITH d.category AS c, coalesce(d.ownership_status, 'unowned') AS s "
        "RETURN c, count(*) AS n, sum(CASE WHEN s IN $owned THEN 1 ELSE 0 END) AS o, "
        "sum(CASE WHEN s IN ['enforced', 'verified'] THEN 1 ELSE 0 END) AS e, "
        "sum(CASE WHEN s = 'verified' THEN 1 ELSE 0 END) AS v",
        owned=OWNED,
    )
    per = {r["c"]: r for r in rows}
    bars = {g.attrs["data-label"]: g for g in charts["chart-cat"].find("g", class_="bar")}
    assert len(bars) == 7
    for category, r in per.items():
        bar = bars[category.replace("_", " ")]
        (value,) = bar.find("text", class_="value")
        assert value.text == (
            f"{r['v']} of {r['n']} verified ({_pct(r['v'], r['n'])}); "
            f"{r['e']} enforced, {r['o']} owned"
        )
        widths = [float(x.attrs["width"]) for x in bar.find("rect", class_="seg-verified")]
        assert widths == ([pytest.approx(430 * r["v"] / r["n"], abs=0.1)] if r["v"] else [])
    n, owned, verified = (sum(r[k] for r in rows) for k in ("n", "o", "v"))
    (books,) = query(
        demo,
        "MATCH (rb:Runbook) RETURN count(rb) AS total, "
        "count(CASE WHEN rb.translated THEN 1 END) AS translated",
    )
    ws = [g.find("text", class_="value")[0].text for g in charts["chart-ws"].find("g")]
    assert ws == [
        f"{n} of {n} (100%)",
        f"{books['translated']} of {books['total']} ({_pct(books['translated'], books['total'])})",
        f"{verified} of {n} ({_pct(verified, n)})",
        f"{owned} of {n} ({_pct(owned, n)})",
    ]
    (vms,) = query(
        demo,
        "MATCH (vm:VirtualMachine) WHERE NOT coalesce(vm.template, false) RETURN count(vm) AS n",
    )
    (drilled,) = query(
        demo,
        "MATCH (d:Decision {status: 'active', ownership_status: 'verified'})"
        "-[:ENFORCED_BY]->(:Enforcement {current: true})-[:VERIFIED_BY]->"
        "(v:Verification {method: 'dr_drill', result: 'pass'}) RETURN count(DISTINCT d) AS n",
    )
    protecting = [r for c, r in per.items() if c in ("failure_recovery", "placement")]
    milestones = {
        g.attrs["data-day"]: g.find("text", class_="value")[0].text
        for g in charts["chart-timeline"].find("g", class_="milestone")
    }
    assert milestones == {
        "1": f"{n} of {n}",
        "7": f"{vms['n'] - len(_expected(demo)['uncovered-vms'])} of {vms['n']}",
        "30": f"{sum(r['v'] for r in protecting)} of {sum(r['n'] for r in protecting)}",
        "90": f"{verified} of {n}",
        "180": f"{drilled['n']} of {n}",
    }
    assert drilled["n"] == 2  # docs/demo.md: HA of Prod-A and sql-ag-apart, by DR drill


def test_printed_page_fits_and_nothing_is_clipped(out: Path) -> None:
    """Chromium in print mode at the width of an A4 page: no horizontal overflow, every chart
    label inside its chart, and the PDF prints. The first page goes to test-artifacts/."""
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        pytest.fail(f"{CHROMIUM} is missing: `scripts/bootstrap.sh chromium` installs it")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=A4_CONTENT)
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.emulate_media(media="print")
            page.goto((out / "readiness.html").as_uri())
            assert page.evaluate("document.documentElement.scrollWidth") <= A4_CONTENT["width"]
            clipped = page.evaluate(
                """() => [...document.querySelectorAll('svg.chart text')].filter(t => {
                     const box = t.getBBox(), view = t.ownerSVGElement.viewBox.baseVal;
                     return box.x < -0.5 || box.x + box.width > view.width + 0.5
                         || box.y < -0.5 || box.y + box.height > view.height + 0.5;
                   }).map(t => t.textContent)"""
            )
            assert clipped == [] and errors == []
            artifacts = REPO / "test-artifacts"
            artifacts.mkdir(exist_ok=True)
            page.screenshot(path=str(artifacts / "report.png"))
            assert page.pdf(format="A4")[:5] == b"%PDF-"
        finally:
            browser.close()


def test_a_decision_link_opens_it_in_the_viewer(demo: Neo4jInstance, tmp_path: Path) -> None:
    """From the report (``--viewer`` given): the first vacuum's name leads to its details, and
    the details' link opens the running viewer with that decision on screen and selected."""
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        pytest.fail(f"{CHROMIUM} is missing: `scripts/bootstrap.sh chromium` installs it")
    with serve(demo.env) as service, sync_playwright() as playwright:
        demo.cli("report", "--out", str(tmp_path), "--viewer", service.base, check=True)
        first = json.loads((tmp_path / "readiness.json").read_text())["lists"]["vacuums"]["rows"][0]
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 800})
            page.goto((tmp_path / "readiness.html").as_uri())
            page.get_by_role("link", name=first["name"], exact=True).first.click()
            details = page.locator(":target")
            assert details.locator("code.id").inner_text() == first["id"]
            details.get_by_role("link", name="open in the viewer").click()
            page.wait_for_function(
                "window.authmap && !window.authmap.busy() && window.authmap.nodeIds().length",
                timeout=60_000,
            )
            assert page.evaluate("window.authmap.nodeIds()") == [first["id"]]
            assert page.evaluate("window.authmap.view.selected") == first["id"]
        finally:
            browser.close()
