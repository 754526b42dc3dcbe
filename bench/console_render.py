"""The console's plot: how long a browser takes to show 10^5 points.

Starts statsvc under uwsgi, stores a metric of ``--points`` points, opens
``/console/#/metric/<id>`` in headless Chromium (Debian's package, driven
by Playwright) and prints medians over ``--repeat`` page loads of:

* page: navigation to the settled view (API calls, parsing, first draw);
* draw: the first draw, from ``new uPlot`` (or its join) to its draw hook;
* redraw: one zoom (``setScale`` on x) to the next draw hook, which is
  what dragging and panning cost per step.

Each with the metric alone and with a moving-average overlaid. No peer:
no other statistics service ships a console (Gnocchi has none).

Usage: python -P bench/console_render.py [--points 100000] [--repeat 5]
(``-P``: bench/http.py would shadow the stdlib's http)
"""
import argparse
import math
import os
import sys
import tempfile
import time

import numpy as np

from playwright.sync_api import sync_playwright

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
from tests.integration.browser import launch, settled  # noqa: E402
from tests.integration.server import Server  # noqa: E402

# Ten zooms in a row, each timed from setScale to uPlot's draw hook.
REDRAW = """async () => {
    const chart = document.querySelector('#plot').chart;
    const [min, max] = [chart.scales.x.min, chart.scales.x.max];
    const times = [];
    for (let i = 1; i <= 10; i++) {
        const drawn = new Promise((r) => chart.hooks.draw.push(r));
        const t = performance.now();
        chart.setScale('x', {min: min + (max - min) * i / 40, max});
        await drawn;
        times.push(performance.now() - t);
        chart.hooks.draw.pop();
    }
    times.sort((a, b) => a - b);
    return times[5];
}"""


def store(server, points):
    status, metric = server.request("POST", "/v1/metric", {"name": "bench"})
    assert status == 201, metric
    for chunk in range(0, points, 100_000):
        measures = [{"timestamp": 1_700_000_000 + 10 * i,
                     "value": 50 + 30 * math.sin(i / 500) + (i * 7919 % 13)}
                    for i in range(chunk, min(points, chunk + 100_000))]
        status, body = server.request(
            "POST", f"/v1/metric/{metric['id']}/measures", measures)
        assert status == 202, body
    return metric["id"]


def measure(browser, url, repeat):
    pages, draws, redraws = [], [], []
    for _ in range(repeat):
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        started = time.perf_counter()
        page.goto(url)
        settled(page)
        pages.append((time.perf_counter() - started) * 1000)
        status = page.text_content("#plot-status")
        draws.append(float(status.split("drawn in ")[1].split()[0]))
        redraws.append(page.evaluate(REDRAW))
        page.close()
    return [float(np.median(x)) for x in (pages, draws, redraws)], status


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, \
            Server(os.path.join(tmp, "data"), workers=2) as server, \
            sync_playwright() as playwright:
        metric = store(server, args.points)
        browser = launch(playwright)
        print(f"{args.points} points, Chromium {browser.version}, medians"
              f" of {args.repeat} page loads")
        print(f"{'view':<28}{'page ms':>10}{'draw ms':>10}{'redraw ms':>11}")
        for label, fragment in [
                ("metric alone", ""),
                ("+ moving-average overlay",
                 "?stat=moving-average%3Fwindow%3D100")]:
            (page, draw, redraw), status = measure(
                browser, f"{server.base}/console/#/metric/{metric}{fragment}",
                args.repeat)
            assert status.startswith(f"{args.points} points"), status
            print(f"{label:<28}{page:>10.0f}{draw:>10.1f}{redraw:>11.1f}")
        browser.close()


if __name__ == "__main__":
    main()
