"""Benchmark: how smoothly the viewer draws 1,000 and 5,000 nodes, in headless Chromium (WebGL
through SwiftShader: no GPU) against the real ``authmap serve``.

The viewer's stress mode (``window.authmap.stress(n)``) generates ``n`` nodes and about
``1.25 n`` edges and runs ForceAtlas2 in its web worker until it settles (or its budget). Then,
for ``--seconds`` and ``--rounds`` times, the camera pans a little on every animation frame (so
sigma redraws every frame) and the frames are counted. The baseline, measured first in the same
run and the same tab, is the same panning over an empty graph. Reported: frames per second and
the ratio to the baseline, the median of the rounds, and the time the generation and layout
took. The service runs on an empty temporary managed Neo4j (the page generates the nodes).

Usage: ``.venv/bin/python -m bench.viewer_frames`` (about a minute).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Page

from bench.measure import temporary_graph
from tests.support.service import serve
from tests.support.viewer import chromium

PAN_FRAMES = """seconds => new Promise(resolve => {
    const camera = window.authmap.view.sigma.getCamera();
    const start = performance.now();
    let frames = 0;
    const tick = () => {
        frames++;
        const s = camera.getState();
        camera.setState({x: s.x + (frames % 2 ? 0.002 : -0.002)});
        if (performance.now() - start < seconds * 1000) requestAnimationFrame(tick);
        else resolve(frames / ((performance.now() - start) / 1000));
    };
    requestAnimationFrame(tick);
})"""


def pan_fps(page: Page, seconds: float, rounds: int) -> float:
    """Median frames per second while the camera pans."""
    return float(
        statistics.median(float(page.evaluate(PAN_FRAMES, seconds)) for _ in range(rounds))
    )


def measure(
    page: Page, sizes: list[int], seconds: float, rounds: int
) -> list[tuple[str, float, float]]:
    """(what, fps, layout seconds) for the empty baseline and each size."""
    page.goto("/#/graph")
    page.wait_for_function("window.authmap && !window.authmap.busy()")
    rows = [("empty graph (baseline)", pan_fps(page, seconds, rounds), 0.0)]
    for n in sizes:
        started = time.perf_counter()
        page.evaluate("n => window.authmap.stress(n)", n)
        page.wait_for_function("window.authmap && !window.authmap.busy()", timeout=300_000)
        took = time.perf_counter() - started
        rows.append((f"{n:,} nodes", pan_fps(page, seconds, rounds), took))
    return rows


def main() -> None:
    """Run the benchmark and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,5000", help="node counts, comma-separated")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of one count")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="authmap-bench-") as home:
        env = {"AUTHMAP_HOME": home, "NEO4J_URI": ""}
        with (
            temporary_graph(Path(home), heap="256m", pagecache="64m"),
            serve(env, logs=Path(home) / "logs") as service,
            chromium() as browser,
        ):
            context = browser.new_context(
                viewport={"width": 1400, "height": 900}, base_url=service.base
            )
            rows = measure(context.new_page(), sizes, args.seconds, args.rounds)
            context.close()
    baseline = rows[0][1]
    print("| graph | frames/s while panning | / baseline | generation + layout |")
    print("|---|---:|---:|---:|")
    for what, fps, took in rows:
        print(f"| {what} | {fps:.1f} | {fps / baseline:.2f} | {took:.1f} s |")


if __name__ == "__main__":
    main()
