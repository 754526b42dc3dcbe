"""Headless Chromium, Debian's package, driven by Playwright for Python.

Playwright is launched with the system browser's ``executable_path``: it
downloads nothing. Tests that need it skip, saying why, where it is absent
(``.ci/run`` installs it, and sets ``STATSVC_REQUIRE_BROWSER=1`` so that
there they fail instead).
"""
import os
import shutil
import time

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def launch(playwright_module):
    """A headless Chromium, or a skip naming what is missing."""
    if CHROMIUM is None:
        message = ("no chromium on PATH (Debian: apt-get install chromium;"
                   " .ci/run installs it)")
        if os.environ.get("STATSVC_REQUIRE_BROWSER") == "1":
            pytest.fail(message + " (STATSVC_REQUIRE_BROWSER=1)")
        pytest.skip(message)
    return playwright_module.chromium.launch(
        executable_path=os.path.realpath(CHROMIUM), headless=True,
        # No sandbox as root (CI runs as root); the pages are our own.
        args=["--no-sandbox"])


def wait_for(page, expression, timeout=20):
    """Poll ``expression`` until it is truthy. Not ``wait_for_function``:
    its polling evaluates strings, which the console's CSP forbids."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"not true after {timeout} s: {expression}")
        time.sleep(0.05)


def settled(page):
    """Wait until the console's page has rendered its view from the URL."""
    wait_for(page, "document.body.dataset.ready === location.hash"
                   " || document.body.dataset.ready === ''")


def canvas_pixels(page, rgb, tolerance=40):
    """How many pixels of the plot's canvas are close to colour ``rgb``."""
    return page.evaluate("""([rgb, tol]) => {
        const c = document.querySelector('#plot canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) {
            if (d[i + 3] > 0 && Math.abs(d[i] - rgb[0]) < tol
                && Math.abs(d[i + 1] - rgb[1]) < tol
                && Math.abs(d[i + 2] - rgb[2]) < tol) n++;
        }
        return n;
    }""", [list(rgb), tolerance])
