"""``GET /metrics``: the service's own metrics in Prometheus' text format,
through the real app (one process: its own registry)."""
import signal

import webtest
from prometheus_client.parser import text_string_to_metric_families

from statsvc import config
from statsvc.api.app import setup_app
# A statistic plugin that fails, and a Redis of this test's own to freeze.
from tests.functional.test_plugin_faults import faulty_app, stat  # noqa: F401
from tests.integration.test_storage_outage import storage_options
from tests.unit.storage.test_redis_availability import server  # noqa: F401

USER = {"X-User-Id": "someone", "X-Roles": "member"}


def samples(app):
    resp = app.get("/metrics")
    assert resp.content_type == "text/plain"
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(resp.text)
            for s in family.samples}


def value(found, name, **labels):
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def test_requests_latency_and_points_are_counted(app, metric):
    before = samples(app)
    app.post_json(f"/v1/metric/{metric}/measures",
                  [{"timestamp": t, "value": 1.0} for t in range(7)])
    app.get(f"/v1/metric/{metric}/measures")
    app.get("/v1/metric/nope", status=404)
    app.post("/v1/influxdb/query?q=CREATE+DATABASE+t")
    app.post("/v1/influxdb/write?db=t", b"m,host=h a=1,b=2")
    after = samples(app)

    def grew(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("statsvc_requests_total", method="POST",
                route="MeasuresController.post", status="202") == 1
    assert grew("statsvc_requests_total", method="GET",
                route="MeasuresController.get_all", status="200") == 1
    assert grew("statsvc_request_duration_seconds_count", method="GET",
                route="MeasuresController.get_all") == 1
    assert grew("statsvc_points_ingested_total",
                route="MeasuresController.post") == 7
    assert grew("statsvc_points_ingested_total",
                route="WriteController.post") == 2
    assert sum(v for (name, labels), v in after.items()
               if name == "statsvc_requests_total"
               and ("status", "404") in labels) >= 1


def test_plugin_failures_are_counted(faulty_app):
    before = samples(faulty_app)
    stat(faulty_app, "faulty-compute", 500)
    stat(faulty_app, "faulty-fine", 200)
    after = samples(faulty_app)
    assert value(after, "statsvc_plugin_failures_total",
                 statistic="faulty-compute") - value(
        before, "statsvc_plugin_failures_total",
        statistic="faulty-compute") == 1
    assert value(after, "statsvc_plugin_failures_total",
                 statistic="faulty-fine") == 0


def test_storage_errors_are_counted(server):
    app = webtest.TestApp(setup_app(config.load(overrides={
        "storage": storage_options(server)})))
    before = samples(app)
    server.process.send_signal(signal.SIGSTOP)  # Redis stops answering
    try:
        app.get("/v1/metric", status=503)
    finally:
        server.process.send_signal(signal.SIGCONT)
    after = samples(app)
    assert value(after, "statsvc_storage_errors_total",
                 error="StorageUnavailable") - value(
        before, "statsvc_storage_errors_total",
        error="StorageUnavailable") == 1


def test_metrics_are_for_admins(app):
    app.get("/metrics", headers=USER, status=403)
