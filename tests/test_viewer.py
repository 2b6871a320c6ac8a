"""The graph viewer (frontend/, served at ``/``) in a real browser: Playwright drives Debian's
headless Chromium against the real ``authmap serve`` on the demo estate of ``make demo``.

A user searches a VM, expands it, opens an unowned decision, takes it through assign, accept,
enforce and verify in the side panel (the API's ETag/If-Match underneath), and sees the
authority-vacuum count on the Audits page drop by one; the who-can page explains and draws an
answer; a view exports as JSON and PNG and reopens from its URL; 5,000 generated nodes stay
interactive. The main view is saved to ``test-artifacts/viewer-main.png``. The dashboard and
every button that puts things in the graph: ``tests/test_viewer_graph.py``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, expect

from app.service import api as api_module
from app.service import create_app
from demo.load import EXAMPLE_VM
from tests.conftest import Neo4jInstance, query
from tests.support.viewer import ARTIFACTS, chromium, demo_service, idle, node_ids, tab

ZOOM_ON = """id => {
    const view = window.authmap.view;
    const d = view.sigma.getNodeDisplayData(id);
    view.sigma.getCamera().setState({x: d.x, y: d.y, ratio: 0.05});
    view.sigma.refresh();
}"""


@pytest.fixture(scope="module")
def base_url(neo4j_instance: Neo4jInstance) -> Iterator[str]:
    """The demo estate loaded as ``make demo`` loads it, and ``authmap serve`` on a free port."""
    with demo_service(neo4j_instance, "viewer-serve") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless."""
    with chromium() as launched:
        yield launched


@pytest.fixture()
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A fresh tab (1400x900); a JavaScript error in the page fails the test."""
    with tab(browser, base_url) as opened:
        yield opened


def search_and_open(page: Page, text: str) -> None:
    page.fill("#search-input", text)
    page.locator("#search-results li").first.wait_for()
    page.locator("#search-results li", has_text=text).first.click()
    page.locator("#panel .decisions li").first.wait_for()
    idle(page)


def vacuum_count(page: Page) -> tuple[int, int]:
    """The authority-vacuum card's count and denominator, as the Audits page shows them."""
    page.click(".tabs a[data-tab=audits]")
    card = page.locator("section.audit[data-audit=authority-vacuum]")
    expect(card.locator(".count")).to_be_visible()
    return int(card.locator(".count").inner_text()), int(card.locator(".total").inner_text())


def test_search_expand_and_own_a_decision(page: Page, base_url: str) -> None:
    page.goto("/#/audits")
    before, total = vacuum_count(page)
    assert 0 < before <= total

    page.click(".tabs a[data-tab=graph]")
    search_and_open(page, EXAMPLE_VM)
    assert page.locator("#panel h2").inner_text() == EXAMPLE_VM
    assert len(node_ids(page)) == 1
    page.click("#panel button:has-text('Expand')")
    idle(page)
    expanded = node_ids(page)
    assert len(expanded) > 10

    # Undo takes the expansion back; expanding again brings the same nodes.
    page.click("#btn-undo")
    assert len(node_ids(page)) == 1
    page.keyboard.press("e")  # the selected node: sql-01
    idle(page)
    assert node_ids(page) == expanded

    unowned = page.locator("#panel .decisions li", has=page.locator(".pill", has_text="unowned"))
    decision_id = unowned.first.get_attribute("data-decision")
    assert decision_id
    unowned.first.locator(".link").click()
    panel = page.locator("#panel")
    expect(panel.locator(".pill[data-status=unowned]")).to_be_visible()

    panel.locator("form[data-action=assign] select[name=team]").select_option("dba")
    panel.locator("form[data-action=assign] button").click()
    expect(panel.locator(".pill[data-status=assigned]")).to_be_visible()
    panel.locator("form[data-action=accept] button").click()
    expect(panel.locator(".pill[data-status=accepted]")).to_be_visible()
    panel.locator("form[data-action=enforce] input[name=reference]").fill("ha-group prod-a")
    panel.locator("form[data-action=enforce] button").click()
    expect(panel.locator(".pill[data-status=enforced]")).to_be_visible()
    panel.locator("form[data-action=verify] select[name=method]").select_option("config_check")
    panel.locator("form[data-action=verify] button").click()
    expect(panel.locator(".pill[data-status=verified]")).to_be_visible()
    colour = page.evaluate(
        "id => window.authmap.view.sigma.getNodeDisplayData(id).color", decision_id
    )
    assert colour == "#1b9e4b"  # verified: green

    ARTIFACTS.mkdir(exist_ok=True)
    page.click("#btn-fit")
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / "viewer-main.png"))

    # The API saw each transition, with the If-Match the panel sent.
    events = httpx.get(f"{base_url}/api/events", params={"decision": decision_id}).json()
    actions = [e["action"] for e in reversed(events["items"])]
    assert actions[-4:] == ["assign", "accept", "enforce", "verify"], actions

    after, total_after = vacuum_count(page)
    assert (after, total_after) == (before - 1, total)


def test_stale_etag_is_reloaded(page: Page, base_url: str) -> None:
    """Someone else changes the decision while the panel is open: 412, the panel reloads."""
    page.goto("/")
    search_and_open(page, EXAMPLE_VM)
    unowned = page.locator("#panel .decisions li", has=page.locator(".pill", has_text="unowned"))
    decision_id = unowned.first.get_attribute("data-decision")
    unowned.first.locator(".link").click()
    panel = page.locator("#panel")
    expect(panel.locator("form[data-action=assign]")).to_be_visible()
    current = httpx.get(f"{base_url}/api/decisions/{decision_id}")
    httpx.post(
        f"{base_url}/api/decisions/{decision_id}/assign",
        json={"team": "platform"},
        headers={"If-Match": current.headers["ETag"]},
    ).raise_for_status()
    panel.locator("form[data-action=assign] select[name=team]").select_option("dba")
    panel.locator("form[data-action=assign] button").click()
    expect(page.locator(".toast")).to_contain_text("changed meanwhile")
    expect(panel.locator(".pill[data-status=assigned]")).to_be_visible()
    assert "team platform" in panel.inner_text()


def test_share_url_reopens_the_same_view(page: Page, browser: Browser, base_url: str) -> None:
    page.goto("/")
    search_and_open(page, "web-01")
    page.keyboard.press("e")
    idle(page)
    hidden = page.evaluate(
        "window.authmap.nodeIds().find(id => id !== window.authmap.view.selected)"
    )
    page.evaluate("id => window.authmap.steps.hide([id])", hidden)
    page.click("#legend-status li[data-value=unowned] input")
    url = page.url
    assert "steps=" in url and "hs=unowned" in url
    shown = node_ids(page)

    other = browser.new_context(viewport={"width": 1200, "height": 800}).new_page()
    other.goto(url)
    idle(other)
    assert node_ids(other) == shown
    assert other.evaluate("id => window.authmap.view.hidden.has(id)", hidden)
    assert other.evaluate("window.authmap.view.filters.statuses.has('unowned')")
    assert other.evaluate("window.authmap.graphHash()") == url[url.index("#") :]
    other.context.close()


def test_export_json_and_png(page: Page) -> None:
    page.goto("/")
    search_and_open(page, EXAMPLE_VM)
    page.keyboard.press("e")
    idle(page)
    shown = node_ids(page)
    with page.expect_download() as info:
        page.click("#btn-json")
    exported: dict[str, Any] = json.loads(Path(info.value.path()).read_text())
    assert {n["id"] for n in exported["nodes"]} == shown
    assert exported["edges"] and exported["view"].startswith("http")
    with page.expect_download() as info:
        page.click("#btn-png")
    png = Path(info.value.path()).read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5_000


def test_who_can_explains_and_draws(page: Page) -> None:
    page.goto(f"/#/who-can?entity={EXAMPLE_VM}")
    first = page.locator(".answer").first
    expect(first.locator(".explanation li").first).to_contain_text("grant")
    assert "CORP\\" in page.locator("#whocan-results").inner_text()
    alice = page.locator(".answer", has_text="CORP\\alice")
    alice.locator("button").click()
    page.wait_for_function("location.hash.startsWith('#/graph')")
    idle(page)
    drawn = node_ids(page)
    assert len(drawn) >= 4
    assert page.evaluate("window.authmap.view.highlight.nodes.size") >= 4

    # The other question: what can a principal do.
    page.goto("/#/who-can?mode=principal&principal=CORP%5Calice&entity=" + EXAMPLE_VM)
    expect(page.locator(".answer").first).to_contain_text(EXAMPLE_VM)


def test_audit_finding_opens_in_the_graph(page: Page) -> None:
    page.goto("/#/audits")
    card = page.locator("section.audit[data-audit=orphaned-principals]")
    expect(card.locator(".count")).to_be_visible()
    assert int(card.locator(".count").inner_text()) >= 1
    card.locator("header").click()
    row = card.locator("tbody tr").first
    finding = row.get_attribute("data-id")
    assert finding
    row.click()
    page.wait_for_function("id => window.authmap.view.selected === id", arg=finding)
    expect(page.locator("#panel h2")).to_be_visible()


def test_five_thousand_nodes_stay_responsive(page: Page) -> None:
    """5,000 generated nodes render and stay interactive, with no error in the page (how fast
    it draws them is measured by ``bench/viewer_frames.py``, not asserted here)."""
    page.goto("/?demo=stress")
    page.wait_for_function("window.authmap.view.graph.order === 5000")
    idle(page, timeout=120_000)  # the ForceAtlas2 worker stopped (converged or its budget)
    assert page.evaluate("window.authmap.view.visibleCount()") == 5000
    # Zoom so nodes do not overlap, then click one: the side panel opens on it.
    page.evaluate(ZOOM_ON, "stress-7")
    position = page.evaluate("window.authmap.pagePosition('stress-7')")
    page.mouse.click(position["x"], position["y"])
    expect(page.locator("#panel h2")).to_have_text("adgroup-7")
    assert page.evaluate("window.authmap.view.selected") == "stress-7"
    # The keyboard still answers: hide it, undo brings it back.
    page.keyboard.press("h")
    page.wait_for_function("window.authmap.view.hidden.has('stress-7')")
    page.keyboard.press("u")
    page.wait_for_function("!window.authmap.view.hidden.has('stress-7')")


def test_unbuilt_viewer_says_to_run_make(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, neo4j_instance: Neo4jInstance
) -> None:
    monkeypatch.setattr(api_module, "frontend_dir", lambda: tmp_path / "dist")
    client = TestClient(create_app(neo4j_instance.settings()))  # no lifespan: no graph needed
    answer = client.get("/")
    assert answer.status_code == 503 and "make" in answer.text
    assert client.get("/assets/app.js").status_code == 404
    assert client.get("/assets/..%2F..%2Fpyproject.toml").status_code == 404


def test_token_prompt(page: Page, neo4j_instance: Neo4jInstance) -> None:
    """Once a token exists the API answers 401: the viewer asks for one, keeps it in the tab.
    (Last in this module: the token is deleted afterwards, back to open mode.)"""
    created = neo4j_instance.cli("tokens", "create", "--name", "viewer-test", "--role", "viewer")
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("amt_"), created
    try:
        # Up front: an empty graph asks for nothing, yet the prompt is there at once.
        page.goto("/#/graph")
        expect(page.locator("#token-dialog")).to_be_visible()
        page.goto("/#/audits")
        expect(page.locator("#token-dialog")).to_be_visible()
        page.fill("#token-input", token)
        page.click("#token-form button")
        card = page.locator("section.audit[data-audit=authority-vacuum]")
        expect(card.locator(".count")).to_be_visible()
        assert page.evaluate("sessionStorage.getItem('authmap-token')") == token
    finally:
        query(neo4j_instance, "MATCH (t:ApiToken) DETACH DELETE t")
