"""Hostile input: every configured limit holds, and odd requests are 4xx.

Nothing here may produce a 500 or escape the app as an exception.
"""
import json
import logging
import urllib.parse
import uuid

import pytest
import webtest

from statsvc import config

MEASURES = [{"timestamp": i * 60, "value": float(i)} for i in range(11)]


def measures_url(metric_id, **query):
    return (f"/v1/metric/{metric_id}/measures?"
            + urllib.parse.urlencode(query))


def post_raw(app, url, body, status="*"):
    return app.post(url, body, content_type="application/json",
                    status=status)


# --- configured limits ---------------------------------------------------

@pytest.mark.parametrize("path", ["/v1/metric", "/v1/metric/{id}/measures",
                                  "/v1/batch/metrics/measures"])
def test_body_size_limit_holds_on_every_body(make_app, path):
    app = make_app(api={"max_body_size": "1000"})
    metric = app.post_json("/v1/metric", {}).json["id"]
    resp = post_raw(app, path.format(id=metric), b" " * 1001, status=413)
    assert "limit of 1000 bytes" in resp.json["description"]


def test_body_size_limit_holds_without_content_length(make_app):
    app = make_app(api={"max_body_size": "1000"})
    request = webtest.TestRequest.blank(
        "/v1/metric", method="POST", body=b" " * 5000,
        content_type="application/json")
    # A chunked body: no length, the server says where the input ends.
    del request.environ["CONTENT_LENGTH"]
    request.environ["wsgi.input_terminated"] = True
    resp = app.do_request(request, status=413)
    assert resp.json["code"] == 413


def test_measures_per_request_limit(make_app):
    app = make_app(api={"max_measures_per_request": "10"})
    metric = app.post_json("/v1/metric", {}).json["id"]
    resp = app.post_json(f"/v1/metric/{metric}/measures", MEASURES,
                         status=400)
    assert "11 measures exceed the limit of 10" in resp.json["description"]
    app.post_json(f"/v1/metric/{metric}/measures", MEASURES[:10],
                  status=202)


def test_metrics_per_batch_limit(make_app):
    app = make_app(api={"max_metrics_per_batch": "2"})
    ids = [app.post_json("/v1/metric", {}).json["id"] for _ in range(3)]
    point = [{"timestamp": 1, "value": 1}]
    resp = app.post_json("/v1/batch/metrics/measures",
                         {i: point for i in ids}, status=400)
    assert "3 metrics exceed the limit of 2" in resp.json["description"]
    app.post_json("/v1/batch/metrics/measures", {i: point for i in ids[:2]},
                  status=202)
    assert app.get(measures_url(ids[2])).json == []


def test_points_per_get_limit_counts_the_resampled_points(make_app):
    app = make_app(api={"max_points_per_get": "10"})
    metric = app.post_json("/v1/metric", {}).json["id"]
    app.post_json(f"/v1/metric/{metric}/measures", MEASURES, status=202)
    resp = app.get(measures_url(metric), status=400)
    assert "11 points in range exceed the limit of 10" in \
        resp.json["description"]
    assert "start/stop" in resp.json["description"]
    assert len(app.get(measures_url(metric, granularity=120)).json) == 6
    assert len(app.get(measures_url(metric, start=60)).json) == 10


def test_default_limits_allow_a_million_points():
    conf = config.load()
    assert conf.getint("api", "max_points_per_get") >= 10 ** 6
    assert conf.getint("api", "max_measures_per_request") >= 10 ** 6


# --- statistics parameters -------------------------------------------------

def _statistics(app):
    return app.get("/v1/capabilities").json["statistics_details"]


def _base_query(details):
    """Values for the required parameters: their minimum, or 1."""
    return {name: spec["min"] if spec["min"] is not None else 1
            for name, spec in details["parameters"].items()
            if spec["required"]}


def test_a_window_of_ten_to_the_twelve_is_a_400(app, metric):
    app.post_json(f"/v1/metric/{metric}/measures", MEASURES, status=202)
    resp = app.get(measures_url(metric, stat="moving-average",
                                window=10 ** 12), status=400)
    assert resp.json["parameter"] == "window"


def test_every_numeric_plugin_parameter_is_bounded(app, metric):
    """Absurd sizes are a 400 naming the parameter, for every plugin."""
    app.post_json(f"/v1/metric/{metric}/measures", MEASURES, status=202)
    for name, details in _statistics(app).items():
        for parameter, spec in details["parameters"].items():
            if spec["type"] not in ("int", "float"):
                continue
            for value in ("1000000000000", "-1000000000000", "1e308",
                          "nan", "inf", "-inf", "1" * 400):
                query = {**_base_query(details), parameter: value}
                resp = app.get(measures_url(metric, stat=name, **query),
                               status="*")
                assert resp.status_int in (200, 400), (name, query,
                                                       resp.text)
                if value == "1000000000000" and spec["type"] == "int":
                    assert resp.status_int == 400, (name, parameter)
                    assert resp.json["parameter"] == parameter


@pytest.mark.parametrize("value", ["", "x", "1e999", "-0", "0x10",
                                   "\u0661", "1" * 10000])
def test_odd_plugin_parameter_values_are_400(app, metric, value):
    resp = app.get(measures_url(metric, stat="moving-average", window=value),
                   status=400)
    assert resp.json["parameter"] == "window"


# --- query strings ---------------------------------------------------------

@pytest.mark.parametrize("query", [
    {"granularity": "1e300"}, {"granularity": "inf"},
    {"granularity": "-inf"}, {"granularity": "nan"},
    {"granularity": "1e-300"}, {"granularity": "0"},
    {"granularity": "9" * 400},
    {"start": "1" * 100000}, {"start": "inf"}, {"start": "nan"},
    {"start": "9999-12-31"}, {"start": "0001-01-01T00:00:00"},
    {"start": "2024-13-45"}, {"start": "\u00e9t\u00e9"},
    {"start": "10", "stop": "5"},
    {"aggregation": "p1000"}, {"aggregation": "p-1"},
    {"aggregation": "p" + "9" * 1000}, {"aggregation": "\x00"},
    {"stat": "no-such-statistic"}, {"stat": ""},
    {"window": "3"},
    {"x" * 100000: "1"},
])
def test_odd_measures_queries_are_400(app, metric, query):
    resp = app.get(measures_url(metric, **query), status=400)
    assert resp.json["code"] == 400


def test_repeated_parameters_are_400(app, metric):
    resp = app.get(f"/v1/metric/{metric}/measures?start=1&start=2",
                   status=400)
    assert "more than once" in resp.json["description"]


def test_thousands_of_parameters_are_400(app, metric):
    query = "&".join(f"p{i}=1" for i in range(5000))
    app.get(f"/v1/metric/{metric}/measures?{query}", status=400)


@pytest.mark.parametrize("url", [
    "/v1/metric/%ff", "/v1/metric/%ff/measures", "/%ff", "/v1/%c3",
    "/v1/metric?sort=%ff", "/v1/metric/{id}/measures?start=%ff",
    "/v1/metric/{id}/measures?%ff=1",
])
def test_invalid_utf8_in_url_is_400(app, metric, url):
    resp = app.get(url.format(id=metric), status=400)
    assert resp.json["code"] == 400


@pytest.mark.parametrize("url", [
    "/v1/metric/" + "a" * 100000, "/v1/metric/%00", "/v1/metric/%C3%A9",
    "/v1/metric/" + "/".join(["x"] * 1000), "/v1/metric/..%2f..%2fetc",
])
def test_odd_metric_paths_are_404(app, url):
    assert app.get(url, status=404).json["code"] == 404


@pytest.mark.parametrize("query", [
    "limit=99999999999999999999999", "limit=-1", "limit=1e3",
    "sort=%00", "sort=id:sideways", "sort=" + "a" * 10000,
    "marker=" + str(uuid.uuid4()), "marker=%ff%fe",
    "&".join(["sort=id"] * 5000)[:-1] + "x",
])
def test_odd_listing_queries_are_4xx_or_200(app, query):
    resp = app.get(f"/v1/metric?{query}", status="*")
    assert resp.status_int in (200, 400, 401)


# --- bodies ------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    b"[" * 100000 + b"]" * 100000,
    b'{"name": ' + b"[" * 2000 + b"]" * 2000 + b"}",
    b'{"name": "\\ud800"}', b"\xff\xfe\x00", b"", b"null", b"1e999",
    b'{"name": 1e999}', b'{"name": "' + "\u00e9".encode() * 256 + b'"}',
    b'{"name": "' + b"x" * 10000 + b'"}', b'{"name": {"a": 1}}',
    b'{"unit": "' + b"%" * 32 + b'"}', b'{"name": "\\u0000"}' + b"x",
    b'{"id": "00000000-0000-0000-0000-000000000000"}',
    b'{"name": "a"} {"name": "b"}',
])
def test_odd_metric_bodies_are_400(app, body):
    assert post_raw(app, "/v1/metric", body, status=400).json["code"] == 400


def test_unicode_metric_names_round_trip(app):
    name = "température ✓ \U0001F525 \u0000 \u202e"
    created = app.post_json("/v1/metric", {"name": name}, status=201).json
    assert app.get(f"/v1/metric/{created['id']}").json["name"] == name


def test_duplicated_json_keys_take_the_last_value(app):
    """As Python's json, orjson and Gnocchi do (RFC 8259 leaves it open)."""
    resp = post_raw(app, "/v1/metric", b'{"name": "a", "name": "b"}',
                    status=201)
    assert resp.json["name"] == "b"


def test_one_uuid_spelled_twice_in_a_batch_is_400(app, metric):
    body = {metric: [{"timestamp": 1, "value": 1}],
            metric.upper(): [{"timestamp": 2, "value": 2}]}
    resp = app.post_json("/v1/batch/metrics/measures", body, status=400)
    assert "given twice" in resp.json["description"]
    assert app.get(measures_url(metric)).json == []


@pytest.mark.parametrize("body", [
    [{"timestamp": "1e400", "value": 1}],
    [{"timestamp": "9999-12-31T23:59:59", "value": 1}],
    [{"timestamp": 2 ** 64, "value": 1}],
    [{"timestamp": 1, "value": 2 ** 1100}],
    [{"timestamp": [1], "value": 1}], [{"timestamp": 1, "value": None}],
    [{"timestamp": 1, "value": "1"}], [{"timestamp": 1, "value": True}],
    [{"timestamp": "2024-01-01T00:00:00+99:00", "value": 1}],
    [{"timestamp": 1}], [1, 2], {"timestamp": 1, "value": 1}, "measures",
])
def test_odd_measures_bodies_are_400(app, metric, body):
    resp = app.post(f"/v1/metric/{metric}/measures", json.dumps(body),
                    content_type="application/json", status=400)
    assert resp.json["code"] == 400
    assert app.get(measures_url(metric)).json == []


@pytest.mark.parametrize("content_type", ["text/plain",
                                          "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x"])
def test_non_json_bodies_are_415(app, content_type):
    resp = app.post("/v1/metric", b"name=x", content_type=content_type,
                    status=415)
    assert resp.json["code"] == 415


@pytest.mark.parametrize("header, value", [
    ("X-User-Id", "x" * 10000), ("X-User-Id", ""), ("X-Roles", "," * 1000),
    ("Authorization", "Basic " + "A" * 100000),
])
def test_odd_headers_in_none_mode_are_not_500(app, header, value):
    resp = app.get("/v1/metric", headers={header: value}, status="*")
    assert resp.status_int in (200, 400, 401)


def test_a_hostile_path_cannot_forge_access_log_lines(app, caplog):
    with caplog.at_level(logging.INFO, logger="statsvc.access"):
        app.get("/v1/metric/x%0Amethod=GET%20path=/forged%ff", status="*")
    lines = [r.getMessage() for r in caplog.records
             if r.name == "statsvc.access"]
    assert len(lines) == 1 and "\n" not in lines[0]
    assert "\\n" in lines[0] and "\\xff" in lines[0]
