"""The viewer in a real browser: the demo estate behind the real ``authmap serve``, and Debian's
headless Chromium driven by Playwright (WebGL through SwiftShader: there is no GPU). Shared by
``tests/test_viewer*.py`` and ``bench/viewer_frames.py``."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, expect, sync_playwright

from app.graph import Graph
from demo.load import steps
from tests.conftest import REPO, Neo4jInstance
from tests.support.service import serve

CHROMIUM = os.environ.get("AUTHMAP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist"]
ARTIFACTS = REPO / "test-artifacts"
# Waits, not speed assertions: on a shared 2-core machine a panel can take longer than
# Playwright's default 5 s to fill (it did at load average 32).
expect.set_options(timeout=30_000)
EXPECTED_STATUSES = ("status of 401", "status of 404", "status of 412")
"""Console errors Chromium logs for answers the viewer expects (a token prompt; a path that
does not exist between two nodes; a stale If-Match): any other is an error of the page."""


def load_demo(instance: Neo4jInstance) -> None:
    """The demo estate, loaded as ``make demo`` loads it, into an emptied database."""
    with Graph(instance.settings()) as graph:
        graph.write_chunked("admin/wipe", {})
    instance.cli("db", "init", check=True)
    for args in steps():
        instance.cli(*args, check=True)


@contextmanager
def demo_service(instance: Neo4jInstance, name: str) -> Iterator[str]:
    """The demo estate and ``authmap serve`` on a free port (its log under
    ``test-artifacts/<name>/``); yields the base URL."""
    if not (REPO / "frontend" / "dist" / "index.html").is_file():
        raise AssertionError("frontend/dist is not built: run `make frontend` (make test does it)")
    load_demo(instance)
    with serve(instance.env, logs=ARTIFACTS / name) as service:
        yield service.base


def launch(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless (never a browser downloaded by Playwright)."""
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        raise AssertionError(f"{CHROMIUM} is missing: `scripts/bootstrap.sh chromium` installs it")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Chromium for the length of the block."""
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def tab(browser: Browser, base_url: str, width: int = 1400, height: int = 900) -> Iterator[Page]:
    """A fresh tab; a JavaScript error or an unexpected console error fails the block."""
    context = browser.new_context(viewport={"width": width, "height": height}, base_url=base_url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def console(message: ConsoleMessage) -> None:
        if message.type == "error" and not any(s in message.text for s in EXPECTED_STATUSES):
            errors.append(f"console: {message.text}")

    page.on("console", console)
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"errors in the page: {errors}"


def idle(page: Page, timeout: float = 30_000) -> None:
    """Wait until no API call and no layout is running."""
    page.wait_for_function("window.authmap && !window.authmap.busy()", timeout=timeout)


def node_ids(page: Page) -> set[str]:
    """The ids of every node in the view."""
    ids: list[str] = page.evaluate("window.authmap.nodeIds()")
    return set(ids)
