"""The API while its Redis is stopped, frozen, and back: 503 JSON within a
bounded time, then service again without a restart.

Each test runs a Redis of its own on a free port (never the shared one).
"""
import signal
import time
import uuid

import pytest
import webtest

from statsvc import config
from statsvc.api.app import setup_app
from tests.integration.server import Server
# The storage tests' fixture: a throw-away redis-server on a free port.
from tests.unit.storage.test_redis_availability import server  # noqa: F401

# Socket timeouts of the driver in these tests: a frozen Redis costs at
# most two of them per request (one retry), so 503 comes within BOUND.
TIMEOUT = 0.25
BOUND = 4 * TIMEOUT + 1
POINT = [{"timestamp": 60, "value": 1.0}]


@pytest.fixture
def redis_server(server):
    """Redis of this test only: stop, freeze or restart it at will."""
    return server


def freeze(redis_server):
    """The server accepts connections (the kernel does) but never answers."""
    redis_server.process.send_signal(signal.SIGSTOP)


def thaw(redis_server):
    redis_server.process.send_signal(signal.SIGCONT)


def storage_options(redis_server):
    return {"driver": "redis",
            "url": f"redis://127.0.0.1:{redis_server.port}/0",
            "key_prefix": f"outage-{uuid.uuid4()}:",
            "socket_timeout": str(TIMEOUT),
            "socket_connect_timeout": str(TIMEOUT)}


@pytest.fixture
def app(redis_server):
    return webtest.TestApp(setup_app(config.load(overrides={
        "storage": storage_options(redis_server)})))


def requests(metric):
    """One request per endpoint that touches storage."""
    measures = f"/v1/metric/{metric}/measures"
    return [
        ("GET", "/v1/metric", None),
        ("POST", "/v1/metric", {"name": "cpu"}),
        ("GET", f"/v1/metric/{metric}", None),
        ("DELETE", f"/v1/metric/{metric}", None),
        ("POST", measures, POINT),
        ("GET", measures, None),
        ("GET", measures + "?stat=moving-average&window=2", None),
        ("POST", "/v1/batch/metrics/measures", {metric: POINT}),
    ]


def send(app, method, url, body):
    if body is None:
        return getattr(app, method.lower())(url, status="*")
    return getattr(app, f"{method.lower()}_json")(url, body, status="*")


def assert_all_unavailable(app, metric):
    for method, url, body in requests(metric):
        began = time.monotonic()
        resp = send(app, method, url, body)
        elapsed = time.monotonic() - began
        assert resp.status_int == 503, (method, url, resp.text)
        assert resp.json["code"] == 503
        assert "unavailable" in resp.json["description"]
        assert elapsed < BOUND, (method, url, elapsed)
    status = app.get("/v1/status", status=503).json
    assert status["backend"]["reachable"] is False
    app.get("/v1/capabilities", status=200)  # needs no storage


def assert_serving(app):
    metric = app.post_json("/v1/metric", {}, status=201).json["id"]
    app.post_json(f"/v1/metric/{metric}/measures", POINT, status=202)
    assert app.get(f"/v1/metric/{metric}/measures").json == [
        ["1970-01-01T00:01:00+00:00", None, 1.0]]
    app.get("/v1/status", status=200)


def test_stopped_redis_is_503_then_recovers(app, redis_server):
    metric = app.post_json("/v1/metric", {}).json["id"]
    redis_server.stop()
    assert_all_unavailable(app, metric)
    redis_server.start()  # same port, empty: no persistence
    assert_serving(app)


def test_frozen_redis_is_503_within_the_timeout_then_recovers(
        app, redis_server):
    metric = app.post_json("/v1/metric", {}).json["id"]
    app.post_json(f"/v1/metric/{metric}/measures", POINT, status=202)
    freeze(redis_server)
    try:
        assert_all_unavailable(app, metric)
    finally:
        thaw(redis_server)
    # Nothing was lost or half-written while it was frozen.
    assert app.get(f"/v1/metric/{metric}/measures").json == [
        ["1970-01-01T00:01:00+00:00", None, 1.0]]
    assert_serving(app)


def test_uwsgi_workers_survive_an_outage(tmp_path, redis_server):
    conf = tmp_path / "statsvc.conf"
    conf.write_text("[storage]\n" + "".join(
        f"{key} = {value}\n"
        for key, value in storage_options(redis_server).items()))
    with Server(tmp_path / "data", workers=1,
                extra_args=["--config", str(conf)]) as api:
        assert api.request("GET", "/v1/status")[0] == 200
        redis_server.stop()
        for method, path in (("GET", "/v1/metric"), ("POST", "/v1/metric")):
            began = time.monotonic()
            status, body = api.request(method, path,
                                       {} if method == "POST" else None)
            assert status == 503 and body["code"] == 503
            assert time.monotonic() - began < BOUND
        status, body = api.request("GET", "/v1/status")
        assert status == 503 and body["backend"]["reachable"] is False
        redis_server.start()
        status, metric = api.request("POST", "/v1/metric", {})
        assert status == 201
        assert api.request("GET", f"/v1/metric/{metric['id']}")[0] == 200
