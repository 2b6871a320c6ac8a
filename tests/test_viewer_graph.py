"""The viewer's landing dashboard and every button that puts things in the graph, in headless
Chromium against the real ``authmap serve`` on the demo estate: a dashboard bar, audit and
vacuum; the Audits page's "Show all in the graph" and the shared link it makes; the who-can
explanation; expand; focus; the "Share link" button. And Swagger UI at ``/docs`` with every
address but 127.0.0.1 blocked. Screenshots go to ``test-artifacts/`` (``screen-*.png``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, expect

from demo.load import EXAMPLE_VM
from tests.conftest import Neo4jInstance
from tests.support.viewer import ARTIFACTS, chromium, demo_service, idle, node_ids, tab

INVENTORY_KINDS = {"Host", "Folder", "Datastore", "Cluster", "Network", "ADGroup", "ADUser"}
LABELS = """() => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(() => {
    const view = window.authmap.view;
    const shown = view.labels.nodes.map(n => n.id);  // the labels drawn in the last frame
    resolve(shown.map(id => {
        const d = view.sigma.getNodeDisplayData(id);
        const p = view.sigma.framedGraphToViewport(d);
        return {id, label: d.label, kind: d.kindLine, colour: d.color, x: p.x, y: p.y,
                size: view.sigma.scaleSize(d.size)};
    }));
})))"""
EDGE_LABELS = """() => {
    const view = window.authmap.view;
    return view.graph.edges().map(e => [view.graph.getEdgeAttribute(e, 'relType'),
                                        view.sigma.getEdgeDisplayData(e).label]);
}"""
INSIDE_CANVAS = """() => {
    const view = window.authmap.view;
    const box = view.sigma.getContainer().getBoundingClientRect();
    return view.graph.nodes().filter(id => {
        const p = view.pagePosition(id);
        return p.x < box.left || p.x > box.right || p.y < box.top || p.y > box.bottom;
    });
}"""


@pytest.fixture(scope="module")
def base_url(neo4j_instance: Neo4jInstance) -> Iterator[str]:
    """The demo estate and ``authmap serve`` on a free port."""
    with demo_service(neo4j_instance, "viewer-graph-serve") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless."""
    with chromium() as launched:
        yield launched


@pytest.fixture()
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A fresh tab (1400x900); a JavaScript or console error fails the test."""
    with tab(browser, base_url) as opened:
        yield opened


def api(base_url: str, path: str, **params: Any) -> Any:
    """What the API answers (open mode: no token)."""
    answer = httpx.get(f"{base_url}{path}", params=params, timeout=60)
    answer.raise_for_status()
    return answer.json()


def screenshot(page: Page, name: str) -> None:
    """Save the tab as ``test-artifacts/screen-<name>.png``."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.wait_for_timeout(400)  # the camera's animation ends
    page.screenshot(path=str(ARTIFACTS / f"screen-{name}.png"))


def wait_graph(page: Page) -> None:
    """On the graph page, every step and layout done."""
    page.wait_for_function("location.hash.startsWith('#/graph')")
    idle(page)


def audit_ids(base_url: str, audit: str) -> set[str]:
    """The node ids of an audit's graph, as the API answers them."""
    return {n["id"] for n in api(base_url, f"/api/audits/{audit}/graph")["nodes"]}


def test_dashboard_is_the_landing_page(page: Page, base_url: str) -> None:
    readiness = api(base_url, "/api/readiness", top=10)
    page.goto("/")
    expect(page.locator("#page-dashboard")).to_be_visible()
    expect(page.locator("#dash-readiness")).to_have_text(
        f"{round(100 * readiness['total']['verified'] / readiness['total']['inventoried'])}%"
    )
    bars = page.locator("#dash-categories .bar")
    expect(bars).to_have_count(len(readiness["categories"]))
    expect(page.locator("#dash-workstreams .workstream")).to_have_count(4)
    audits = page.locator(".dash-audits li")
    expect(audits).to_have_count(len(readiness["audits"]))
    for audit in readiness["audits"]:
        count = page.locator(f".dash-audits li[data-audit={audit['id']}] .count")
        expect(count).to_have_text(str(audit["count"]))
    rows = page.locator("table.vacuums tbody tr")
    expect(rows).to_have_count(len(readiness["vacuums"]))
    assert readiness["vacuums"], "the demo has authority vacuums"
    expect(page.locator("#keys-dashboard li").first).to_be_visible()
    screenshot(page, "dashboard")

    # A vacuum: one click, and it is selected in the graph.
    first = readiness["vacuums"][0]["decision_id"]
    rows.first.click()
    wait_graph(page)
    page.wait_for_function("id => window.authmap.view.selected === id", arg=first)
    expect(page.locator("#panel .summary")).to_be_visible(timeout=30_000)  # a busy machine
    expect(page.locator("#keys-graph li").first).to_be_visible()


def test_dashboard_audit_and_category_draw_in_the_graph(page: Page, base_url: str) -> None:
    page.goto("/")
    page.locator(".dash-audits li[data-audit=authority-vacuum] button").click()
    wait_graph(page)
    assert node_ids(page) == audit_ids(base_url, "authority-vacuum")
    assert page.evaluate(INSIDE_CANVAS) == []  # the view refitted around what was added

    page.goto("/")
    page.locator("#dash-categories .bar[data-category=placement]").click()
    wait_graph(page)
    decisions = page.evaluate(
        """() => { const v = window.authmap.view; return v.graph.filterNodes((id, a) =>
            a.kind === 'Decision' && !v.isFiltered(id, a)).map(id =>
            v.graph.getNodeAttribute(id, 'props').category); }"""
    )
    assert decisions and set(decisions) == {"placement"}
    assert "hc=" in page.url


def test_show_all_in_the_graph_and_its_shared_link(
    page: Page, browser: Browser, base_url: str
) -> None:
    expected = audit_ids(base_url, "orphaned-principals")
    assert expected
    page.goto("/#/audits")
    card = page.locator("section.audit[data-audit=orphaned-principals]")
    expect(card.locator(".count")).to_be_visible()
    card.locator("header").click()
    card.locator("button", has_text="Show all in the graph").click()
    wait_graph(page)
    assert node_ids(page) == expected
    assert page.evaluate("window.authmap.view.graph.size") > 0
    assert page.evaluate(INSIDE_CANVAS) == []
    url = page.url
    assert "steps=aorphaned-principals" in url

    with tab(browser, base_url, 1200, 800) as other:
        other.goto(url)
        idle(other)
        assert node_ids(other) == expected


def test_who_can_explanation_is_labelled_and_coloured(page: Page) -> None:
    page.goto(f"/#/who-can?entity={EXAMPLE_VM}")
    alice = page.locator(".answer", has_text="CORP\\alice")
    alice.locator("button", has_text="Show the explanation in the graph").click()
    wait_graph(page)
    highlighted: list[str] = page.evaluate("[...window.authmap.view.highlight.nodes]")
    assert len(highlighted) >= 4
    labels = {label["id"]: label for label in page.evaluate(LABELS)}
    assert set(highlighted) <= set(labels), "every node of the explanation shows its label"
    for node in highlighted:
        assert labels[node]["label"] and labels[node]["kind"]
    colours = {labels[n]["colour"] for n in highlighted}
    assert len(colours) >= 3, f"nodes coloured by kind, not grey dots: {colours}"
    assert "#d5d8de" not in colours
    assert page.evaluate(INSIDE_CANVAS) == []
    screenshot(page, "who-can-explanation")


def test_expand_labels_inventory_and_edges(page: Page) -> None:
    page.goto("/#/graph")
    page.fill("#search-input", EXAMPLE_VM)
    page.locator("#search-results li", has_text=EXAMPLE_VM).first.click()
    page.locator("#panel .decisions li").first.wait_for()
    idle(page)
    page.click("#panel button:has-text('Expand')")
    idle(page)
    assert len(node_ids(page)) > 10
    assert page.evaluate(INSIDE_CANVAS) == []
    page.wait_for_timeout(400)
    shown = page.evaluate(LABELS)
    kinds = page.evaluate(
        "ids => ids.map(id => window.authmap.view.graph.getNodeAttribute(id, 'kind'))",
        [s["id"] for s in shown],
    )
    assert INVENTORY_KINDS & set(kinds), f"inventory nodes carry labels: {kinds}"
    assert all(s["label"] and s["kind"] for s in shown)
    # No two drawn labels overlap (the selected node's, always drawn, aside).
    boxes = page.evaluate(
        """() => window.authmap.view.labels.nodes
            .filter(n => n.id !== window.authmap.view.selected).map(n => n.box)"""
    )
    assert len(boxes) >= 5
    clashes = [
        (a, b)
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if abs(a["cx"] - b["cx"]) < a["hw"] + b["hw"] and abs(a["cy"] - b["cy"]) < a["hh"] + b["hh"]
    ]
    assert clashes == []
    edges = page.evaluate(EDGE_LABELS)
    assert edges and all(label == rel for rel, label in edges)
    screenshot(page, "expanded-vm")


def test_focus_centres_the_node(page: Page) -> None:
    page.goto("/#/graph")
    page.fill("#search-input", "web-01")
    page.locator("#search-results li", has_text="web-01").first.click()
    page.locator("#panel .decisions li").first.wait_for()
    idle(page)
    page.keyboard.press("e")
    idle(page)
    other = page.evaluate(
        "window.authmap.nodeIds().find(id => id !== window.authmap.view.selected)"
    )
    page.evaluate("id => window.authmap.view.select(id)", other)
    page.locator("#panel button", has_text="Focus").click()
    # The camera moves (a 300 ms animation) until the node sits at the canvas's centre.
    page.wait_for_function(
        """id => {
            const view = window.authmap.view;
            const box = view.sigma.getContainer().getBoundingClientRect();
            const p = view.pagePosition(id);
            return Math.abs(p.x - (box.left + box.width / 2)) < 5
                && Math.abs(p.y - (box.top + box.height / 2)) < 5
                && view.sigma.getCamera().getState().ratio === 0.5;
        }""",
        arg=other,
        timeout=10_000,
    )


def test_share_link_button(page: Page, browser: Browser, base_url: str) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("/#/graph")
    page.fill("#search-input", EXAMPLE_VM)
    page.locator("#search-results li", has_text=EXAMPLE_VM).first.click()
    page.locator("#panel .decisions li").first.wait_for()
    idle(page)
    page.keyboard.press("e")
    idle(page)
    shown = node_ids(page)
    page.click("#btn-share")
    expect(page.locator(".toast")).to_contain_text("copied")
    link = page.evaluate("navigator.clipboard.readText()")
    assert link == page.url and "steps=" in link
    with tab(browser, base_url, 1200, 800) as other:
        other.goto(link)
        idle(other)
        assert node_ids(other) == shown


def test_swagger_ui_works_offline(page: Page, base_url: str) -> None:
    """``/docs`` loads nothing from outside: every other address is refused."""
    refused: list[str] = []

    def only_local(route: Route) -> None:
        if route.request.url.startswith(base_url + "/") or route.request.url.startswith("data:"):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    page.context.route("**/*", only_local)
    page.goto("/docs")
    # Swagger UI's 1.7 MB script takes a while on a busy machine: wait up to a minute.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("authmap", timeout=60_000)
    expect(
        page.locator(".opblock-summary-path[data-path='/api/audits/{audit_id}/graph']")
    ).to_be_visible()
    assert page.locator(".opblock").count() > 20
    assert refused == [], refused


def test_audit_graph_and_readiness_routes(base_url: str) -> None:
    """The audit's graph holds every decision it finds; readiness agrees with the summary."""
    findings = httpx.post(f"{base_url}/api/audits/authority-vacuum/run", timeout=60).json()
    drawn = api(base_url, "/api/audits/authority-vacuum/graph")
    kinds = {n["id"]: n["kind"] for n in drawn["nodes"]}
    decisions = {i for i, k in kinds.items() if k == "Decision"}
    assert decisions == {f["decision_id"] for f in findings["findings"]}
    assert all(e["type"] == "EVIDENCE" and e["source"] in decisions for e in drawn["edges"])
    assert all(e["target"] in kinds for e in drawn["edges"])
    missing = httpx.get(f"{base_url}/api/audits/no-such-audit/graph")
    assert missing.status_code == 404 and "no-such-audit" in missing.json()["error"]

    readiness = api(base_url, "/api/readiness", top=3)
    summary = api(base_url, "/api/summary")
    assert readiness["total"]["inventoried"] == summary["total"]["total"]
    assert readiness["total"]["verified"] == summary["total"]["verified"]
    assert len(readiness["vacuums"]) == 3
    radii = [v["blast_radius"] for v in readiness["vacuums"]]
    assert radii == sorted(radii, reverse=True)
    counts = {a["id"]: a["count"] for a in readiness["audits"]}
    assert counts["authority-vacuum"] == findings["count"]
