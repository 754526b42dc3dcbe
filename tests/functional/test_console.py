"""The console's files and service facts, served by the real app."""
import configparser
import importlib.resources
import pathlib
import re

import pytest

from statsvc.api.auth import passwords, users

ROOT = pathlib.Path(__file__).parents[2]
STATIC = importlib.resources.files("statsvc.console") / "static"
BROWSER_ACCEPT = ("text/html,application/xhtml+xml,application/xml;q=0.9,"
                  "image/avif,image/webp,*/*;q=0.8")


def test_console_redirects_to_its_page_then_serves_it(app):
    response = app.get("/console", status=302)
    assert response.location == "http://localhost/console/"
    page = app.get("/console/", headers={"Accept": BROWSER_ACCEPT})
    assert page.content_type == "text/html" and page.charset == "utf-8"
    assert page.body == (STATIC / "index.html").read_bytes()
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("name, accept, content_type", [
    ("app.js", "*/*", "text/javascript"),
    ("uPlot.iife.min.js", "*/*", "text/javascript"),
    ("console.css", "text/css,*/*;q=0.1", "text/css"),
    # A client that excludes JSON still gets the console's own types.
    ("uPlot.min.css", "text/css", "text/css"),
])
def test_static_files_have_their_types(app, name, accept, content_type):
    response = app.get(f"/console/{name}", headers={"Accept": accept})
    assert response.content_type == content_type
    assert response.body == (STATIC / name).read_bytes()


def test_every_file_the_page_and_modules_name_is_served(app):
    """index.html's links and each module's imports, followed from the
    page, resolve to files of the package."""
    seen, todo = set(), ["index.html"]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        text = app.get(f"/console/{name}").text
        todo += re.findall(r'(?:src|href)="([\w.]+\.(?:js|css))"', text)
        todo += re.findall(r'from "\./([\w.]+\.js)"', text)
    assert {"app.js", "metric.js", "statform.js", "uPlot.iife.min.js",
            "uPlot.min.css"} <= seen


def test_unchanged_files_revalidate_with_their_etag(app):
    first = app.get("/console/app.js")
    assert first.headers["Cache-Control"] == "no-cache"
    app.get("/console/app.js", headers={"If-None-Match": first.etag},
            status=304)


@pytest.mark.parametrize("path", [
    "/console/missing.js", "/console/..%2F__init__.py", "/console/.hidden",
    "/console/static/app.js", "/console/app.js/more"])
def test_anything_else_is_a_json_404(app, path):
    response = app.get(path, status=404)
    assert response.json["code"] == 404


def test_service_facts(app):
    body = app.get("/console/service.json").json
    assert body["version"] == "0.1.0"
    assert 0 <= body["uptime"] < 3600
    assert body["storage"] == {"driver": "sqlite", "reachable": True,
                               "error": None}


def test_under_basic_auth_the_console_asks_as_the_api_does(
        make_app, tmp_path, monkeypatch):
    monkeypatch.setattr(passwords, "N", 2 ** 10)
    path = str(tmp_path / "users.json")
    users.add_user(path, "alice", "pw")
    app = make_app(api={"auth_mode": "basic", "users_file": path})
    for url in ("/console/", "/console/app.js", "/console/service.json"):
        response = app.get(url, status=401)
        assert response.headers["WWW-Authenticate"] == 'Basic realm="statsvc"'
    app.authorization = ("Basic", ("alice", "pw"))
    assert app.get("/console/service.json").json["version"] == "0.1.0"


def test_json_clients_keep_their_root_and_v1(app):
    """The console lives beside the API: / and /v1 answer JSON to a
    browser's Accept too."""
    assert "versions" in app.get("/", headers={"Accept": BROWSER_ACCEPT}).json
    assert "links" in app.get("/v1", headers={"Accept": BROWSER_ACCEPT}).json


def test_the_static_files_are_package_data():
    """A non-editable install ships them (the quick-start test serves
    them from one)."""
    setup = configparser.ConfigParser()
    setup.read(ROOT / "setup.cfg")
    assert setup["options.package_data"]["statsvc.console"].strip() \
        == "static/*"
    assert (STATIC / "uPlot.LICENSE").read_text().startswith(
        "The MIT License")
