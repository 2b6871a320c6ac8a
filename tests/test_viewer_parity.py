"""Parity in the viewer, in headless Chromium against the real ``authmap serve``: the dashboard's
"Parity on the target" card (every judged decision's status, who verified it, a person's
verification the target read contradicts), its rows drawing a decision with its target objects,
and the decision panel's parity section and "Target objects" button (undo, shared link). The
demo estate judged against its migrated counterpart in the real kube-apiserver
(tests/support/parity_surface.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import Neo4jInstance
from tests.support.kube import KubeCluster
from tests.support.parity_surface import LB_APART, SQL_APART, judge
from tests.support.service import serve
from tests.support.viewer import ARTIFACTS, chromium, idle, node_ids, tab

pytestmark = pytest.mark.timeout(1200)


@pytest.fixture(scope="module")
def base_url(
    neo4j_instance: Neo4jInstance,
    kube_cluster: KubeCluster,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    judge(neo4j_instance, kube_cluster, tmp_path_factory.mktemp("viewer-parity") / "p.json")
    with serve(neo4j_instance.env, logs=ARTIFACTS / "viewer-parity-serve") as service:
        yield service.base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture()
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    with tab(browser, base_url) as opened:
        yield opened


def api(base_url: str, path: str, **params: Any) -> Any:
    answer = httpx.get(f"{base_url}{path}", params=params, timeout=60)
    answer.raise_for_status()
    return answer.json()


def target_ids(base_url: str, decision_id: str, *, evidence_needed: bool = True) -> set[str]:
    """The decision, its latest result and its evidence's target objects, by the API (a
    missing decision's result names no target object)."""
    results = api(base_url, f"/api/decisions/{quote(decision_id, safe='')}/parity")["items"]
    evidence = {e["id"] for r in results if r["latest"] for e in r["evidence"]}
    drawn = api(base_url, f"/api/decisions/{quote(decision_id, safe='')}/parity/graph")
    kinds = {n["id"]: n["kind"] for n in drawn["nodes"]}
    assert (evidence or not evidence_needed) and evidence <= set(kinds)
    assert sum(1 for k in kinds.values() if k == "ParityResult") == 1
    return set(kinds)


def test_dashboard_card_lists_parity_and_draws_target_objects(page: Page, base_url: str) -> None:
    readiness = api(base_url, "/api/readiness")
    read = [r for r in readiness["parity"] if r["parity"]]
    page.goto("/")
    rows = page.locator("#dash-parity tbody tr")
    expect(rows).to_have_count(min(20, len(read)))
    for status in {r["parity"] for r in read}:
        count = sum(1 for r in read if r["parity"] == status)
        expect(page.locator(f"#dash-parity .parity-counts [data-parity={status}]")).to_have_text(
            f"{count} {status}"
        )
    sql = page.locator(f"#dash-parity tbody tr[data-id='{SQL_APART}']")
    expect(sql).to_contain_text("missing")
    expect(sql).to_contain_text("person (contradicted)")
    expect(rows.first).to_have_attribute("data-id", read[0]["id"])  # contradicted first
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "screen-dashboard-parity.png"))
    sql.click()
    page.wait_for_function("location.hash.startsWith('#/graph')")
    idle(page)
    drawn = target_ids(base_url, SQL_APART, evidence_needed=False)
    assert node_ids(page) == drawn and len(drawn) == 2  # the decision and its result
    page.wait_for_function("id => window.authmap.view.selected === id", arg=SQL_APART)
    expect(page.locator("#panel li[data-parity=missing]")).to_be_visible()


def test_panel_target_objects_button_undo_and_shared_link(
    page: Page, browser: Browser, base_url: str
) -> None:
    q = quote(LB_APART, safe="")
    page.goto(f"/#/graph?steps=o{q}&focus={q}")
    idle(page)
    panel = page.locator("#panel")
    expect(panel.locator("li[data-parity=enforced]")).to_be_visible()
    assert node_ids(page) == {LB_APART}
    panel.locator("button[data-action=parity-graph]").click()
    idle(page)
    drawn = target_ids(base_url, LB_APART)
    assert node_ids(page) == drawn
    kinds = page.evaluate(
        "() => window.authmap.view.graph.nodes().map(id => "
        "window.authmap.view.graph.getNodeAttribute(id, 'kind'))"
    )
    assert "K8sVirtualMachine" in kinds
    assert ",t" in page.url  # the step is in the shareable address
    with tab(browser, base_url) as other:
        other.goto(page.url)
        idle(other)
        assert node_ids(other) == drawn
    page.keyboard.press("u")
    idle(page)
    assert node_ids(page) == {LB_APART}


def test_panel_says_when_nothing_was_read(page: Page, base_url: str) -> None:
    never = next(r for r in api(base_url, "/api/readiness")["parity"] if not r["parity"])
    q = quote(never["id"], safe="")
    page.goto(f"/#/graph?steps=o{q}&focus={q}")
    idle(page)
    expect(page.locator("#panel [data-parity=none]")).to_contain_text("No target read yet")
