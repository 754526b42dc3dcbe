"""The web console in a real browser, against real uwsgi.

Screenshots land in pytest's tmp dir for a person to look at; with
``STATSVC_README_SCREENSHOT=1`` the overlay test also writes the README's
``statsvc/console/console.png``.
"""
import base64
import json
import math
import os
import pathlib
import shutil

import pytest

from tests.integration.browser import (
    canvas_pixels, launch, settled, wait_for)
from tests.integration.server import Server
from tests.integration.test_auth_uwsgi import manage

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is in the test extra")

README_SHOT = pathlib.Path(__file__).parents[2] / "statsvc" / "console" / \
    "console.png"
# plot.js's first two colours: the metric, the first overlay.
METRIC_RGB, OVERLAY_RGB = (0x1f, 0x6f, 0xeb), (0xd1, 0x24, 0x2f)
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    """statsvc under uwsgi, beside an installed statistic that cannot load
    (its module is missing), for the plugins page."""
    tmp = tmp_path_factory.mktemp("console")
    dist = tmp / "site" / "statsvc_console_broken-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: statsvc-console-broken\n"
        "Version: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[statsvc.statistics]\nbroken-stat = statsvc_no_such_module:Stat\n")
    env = {"PYTHONPATH": str(tmp / "site"),
           "XDG_CACHE_HOME": str(tmp / "cache"), "STATSVC_EXT_CACHE": ""}
    with Server(tmp / "data", workers=1, env=env) as server:
        yield server


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    yield page
    context.close()


def make_metric(server, name, unit="ms", points=2000, **extra):
    status, metric = server.request("POST", "/v1/metric",
                                    dict(name=name, unit=unit, **extra))
    assert status == 201, metric
    measures = [{"timestamp": 1_700_000_000 + 60 * i,
                 "value": round(50 + 30 * math.sin(i / 40)
                                + 8 * math.sin(i * 1.7), 3)}
                for i in range(points)]
    status, body = server.request(
        "POST", f"/v1/metric/{metric['id']}/measures", measures)
    assert status == 202, body
    return metric["id"]


def open_view(page, server, fragment):
    """Load the console anew at ``#/fragment`` (never a mere hash change)."""
    page.goto("about:blank")
    response = page.goto(f"{server.base}/console/#/{fragment}")
    assert response.status == 200
    settled(page)


def test_a_metric_with_a_statistic_overlaid(service, page, tmp_path):
    metric = make_metric(service, "cpu.load", unit="%")
    open_view(page, service,
              f"metric/{metric}?stat=moving-average%3Fwindow%3D60")
    assert page.text_content("h1") == "cpu.load"
    assert page.text_content("#plot-status").startswith("2000 points")
    legend = page.locator(".u-legend .u-series .u-label").all_text_contents()
    assert legend == ["time (UTC)", "cpu.load",
                      "moving-average (window=60)"]
    # Both lines are drawn, in their own colours.
    assert canvas_pixels(page, METRIC_RGB) > 1000
    assert canvas_pixels(page, OVERLAY_RGB) > 1000
    page.screenshot(path=tmp_path / "overlay.png", full_page=False)
    if os.environ.get("STATSVC_README_SCREENSHOT"):
        shutil.copy(tmp_path / "overlay.png", README_SHOT)

    # Drag over the plot to zoom: the URL holds the new range, and opening
    # that URL anew shows the same view.
    box = page.locator("#plot .u-over").bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.25, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.5, y, steps=5)
    page.mouse.up()
    wait_for(page, "location.hash.includes('start=')")
    shared = page.url
    start = page.input_value("[name=start]")
    stop = page.input_value("[name=stop]")
    assert start.startswith("2023-11-1") and "stop=" in shared
    other = page.context.new_page()
    other.goto(shared)
    settled(other)
    assert other.input_value("[name=start]") == start
    assert other.input_value("[name=window]") == "60"
    points = int(other.text_content("#plot-status").split()[0])
    assert 300 < points < 700, points

    # The wheel zooms in about the cursor: a narrower range in the URL.
    before = other.evaluate("location.hash")
    box = other.locator("#plot .u-over").bounding_box()
    other.mouse.move(box["x"] + box["width"] / 2, box["y"] + 20)
    other.mouse.wheel(0, -100)
    wait_for(other, f"location.hash !== {json.dumps(before)}")
    assert other.input_value("[name=start]") > start
    assert other.input_value("[name=stop]") < stop


def test_every_statistic_gets_its_form_and_errors_sit_by_the_field(
        service, page, tmp_path):
    metric = make_metric(service, "forms", points=100)
    status, capabilities = service.request("GET", "/v1/capabilities")
    details = capabilities["statistics_details"]
    stats = "&".join(f"stat={name}" for name in details)
    open_view(page, service, f"metric/{metric}?{stats}")
    for name, detail in details.items():
        fieldset = page.locator(f"fieldset[data-stat='{name}']")
        fields = fieldset.locator(".field").evaluate_all(
            "fs => fs.map(f => f.dataset.parameter)")
        assert fields == list(detail["parameters"]), name
        for parameter, declared in detail["parameters"].items():
            control = fieldset.locator(f"[name='{parameter}']")
            if declared["default"] is not None:
                assert control.input_value() == str(
                    declared["default"]).lower() if declared["type"] == "bool" \
                    else control.input_value() != ""
        required = [p for p, d in detail["parameters"].items()
                    if d["required"]]
        if required:
            # None given: the API's 400 names the first, shown by it.
            error = fieldset.locator(
                f".field[data-parameter='{required[0]}'] .field-error")
            assert "is required" in error.text_content(), name

    # An out-of-range value: the API's message next to that field, the
    # other overlays and the series still drawn.
    open_view(page, service,
              f"metric/{metric}?stat=moving-average%3Fwindow%3D0&stat=delta"
              "&axis=right")
    error = page.text_content(
        "fieldset[data-stat='moving-average'] .field[data-parameter='window']"
        " .field-error")
    assert "must be >= 1" in error
    page.screenshot(path=tmp_path / "errors.png", full_page=True)
    assert page.locator(".u-legend .u-series .u-label").all_text_contents() \
        == ["time (UTC)", "forms", "delta"]
    # delta against an axis of its own: time, the metric's, the statistics'.
    assert page.locator(".u-axis").count() == 3


def test_names_units_and_resources_are_shown_as_text(service, page,
                                                     tmp_path):
    status, resource = service.request("POST", "/v1/resource/generic", {
        "id": HOSTILE})
    assert status == 201, resource
    metric = make_metric(service, HOSTILE, unit=HOSTILE, points=10,
                         resource_id=resource["id"])
    open_view(page, service, "metrics?name=onerror")
    row = page.locator("#metric-results tbody tr")
    assert row.count() == 1
    assert row.locator("td").first.text_content() == HOSTILE
    open_view(page, service, f"metric/{metric}")
    assert page.text_content("h1") == HOSTILE
    assert HOSTILE in page.text_content("table")
    # The resource's attributes: its original id is the hostile string.
    page.wait_for_selector("#resource table")
    cells = page.locator("#resource td").all_text_contents()
    assert cells[cells.index("original_resource_id") + 1] == HOSTILE
    # Nothing was parsed as markup, nothing ran.
    assert page.locator("main img").count() == 0
    assert page.dialogs == []
    page.screenshot(path=tmp_path / "hostile.png", full_page=True)


def test_plugins_and_service_pages(service, page, tmp_path):
    open_view(page, service, "plugins")
    loaded = page.locator("#loaded tbody tr td:first-child").all_text_contents()
    assert "moving-average" in loaded and "ewma" in loaded
    failed = page.locator("#health tbody td").all_text_contents()
    assert failed == ["broken-stat", "statsvc_no_such_module:Stat",
                      "ModuleNotFoundError: No module named"
                      " 'statsvc_no_such_module'"]
    page.screenshot(path=tmp_path / "plugins.png", full_page=True)
    open_view(page, service, "service")
    assert page.text_content("#reachable") == "yes"
    assert page.locator("td", has_text="0.1.0").count() == 1


def test_basic_auth_asks_like_the_api_and_shows_only_the_users_own(
        browser, tmp_path):
    users = tmp_path / "users.json"
    manage(users, "add", "alice", password="alice-pw\n")
    manage(users, "add", "bob", password="bob-pw\n")
    manage(users, "add", "root", "--admin", password="root-pw\n")
    conf = tmp_path / "statsvc.conf"
    # One metric a page: the list follows the Link headers.
    conf.write_text(f"[api]\nauth_mode = basic\nusers_file = {users}\n"
                    "max_limit = 1\n[statistics]\ndisabled = zscore\n")
    with Server(tmp_path / "data", workers=1,
                extra_args=["--config", str(conf)]) as server:
        for user in ("alice", "bob"):
            status, _ = server.request(
                "POST", "/v1/metric", {"name": f"{user}-metric"},
                headers={"Authorization": basic(user, f"{user}-pw")})
            assert status == 201
        anonymous = browser.new_context()
        page = anonymous.new_page()
        answers = []
        page.on("response", lambda answer: answers.append(answer))
        # The API's challenge, which brings up the browser's own prompt;
        # headless, nobody answers it.
        with pytest.raises(sync_api.Error, match="AUTH"):
            page.goto(f"{server.base}/console/")
        assert [(a.status, a.headers["www-authenticate"]) for a in answers] \
            == [(401, 'Basic realm="statsvc"')]
        anonymous.close()

        context = browser.new_context(http_credentials={
            "username": "alice", "password": "alice-pw"})
        page = context.new_page()
        page.goto(f"{server.base}/console/#/metrics")
        settled(page)
        names = page.locator("#metric-results tbody td:first-child")
        assert names.all_text_contents() == ["alice-metric"]
        page.goto(f"{server.base}/console/#/plugins")
        settled(page)
        assert "Only an admin" in page.text_content("#health")
        assert page.evaluate(
            "localStorage.length + sessionStorage.length") == 0
        context.close()

        # An admin sees every metric, and which plugins are turned off.
        context = browser.new_context(http_credentials={
            "username": "root", "password": "root-pw"})
        page = context.new_page()
        page.goto(f"{server.base}/console/#/metrics")
        settled(page)
        assert sorted(page.locator("#metric-results tbody td:first-child")
                      .all_text_contents()) == ["alice-metric", "bob-metric"]
        page.goto(f"{server.base}/console/#/plugins")
        settled(page)
        health = page.text_content("#health")
        assert "Disabled by configuration (1)zscore" in health
        assert "Failed to load (0)" in health
        context.close()


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
