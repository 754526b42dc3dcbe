"""Non-ASCII everywhere statsvc echoes it, against real uwsgi.

A header value that is not latin-1 makes uwsgi drop the connection after
the application has run (a policy named ``✔éñ☃`` was created, and its
client got no response). So every name, path segment, query value and
header that comes back in a header or a body is tried here with non-ASCII
text, and every response must arrive whole, as JSON, with ASCII headers.
"""
import base64
import http.client
import json
from urllib.parse import quote, urlencode

import pytest

from tests.integration.server import Server

NAMES = ["✔éñ☃", "æ", "𝄞 a%b?c#d"]
ADMIN = {"Authorization": "Basic " + base64.b64encode(b"admin:").decode()}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    base = tmp_path_factory.mktemp("non-ascii")
    config = base / "statsvc.conf"
    config.write_text("[api]\nmax_limit = 1\n")  # a Link on every list
    with Server(base / "data", workers=1,
                extra_args=["--config", str(config)]) as server:
        yield server


def call(server, method, path, body=None, headers=None):
    """``(status, headers, decoded JSON or None)``; header values may be
    str (sent as UTF-8, as browsers and curl do) and the path is sent as
    given, so it must be percent-encoded already."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.putrequest(method, path)
        data = None if body is None else json.dumps(body).encode()
        sent = {"Content-Type": "application/json", **(headers or {})}
        if data is not None:
            sent["Content-Length"] = str(len(data))
        for name, value in sent.items():
            conn.putheader(name, value.encode())
        conn.endheaders(data)
        resp = conn.getresponse()
        raw = resp.read()  # raises if the connection is dropped
    finally:
        conn.close()
    for name, value in resp.getheaders():
        assert value.isascii(), (method, path, name, value)
    if raw:
        assert resp.getheader("Content-Type") == "application/json"
    return resp.status, dict(resp.getheaders()), json.loads(raw or "null")


def local(url, server):
    assert url.startswith(server.base + "/"), url
    return url[len(server.base):]


@pytest.mark.parametrize("name", NAMES)
def test_policy_rule_and_metric_names(server, name):
    segment = quote(name, safe="")
    policy = {"name": name, "definition": [{"granularity": 60,
                                            "points": 2}]}
    status, headers, body = call(server, "POST", "/v1/archive_policy",
                                 policy, ADMIN)
    assert status == 201 and body["name"] == name
    assert headers["Location"] == \
        f"{server.base}/v1/archive_policy/{segment}"
    assert call(server, "GET", local(headers["Location"], server))[2][
        "name"] == name

    rule = {"name": name, "metric_pattern": name + "*",
            "archive_policy_name": name}
    status, headers, body = call(server, "POST", "/v1/archive_policy_rule",
                                 rule, ADMIN)
    assert status == 201 and body == rule
    assert headers["Location"] == \
        f"{server.base}/v1/archive_policy_rule/{segment}"
    assert call(server, "GET", local(headers["Location"], server))[2] == rule

    status, headers, resource = call(server, "POST", "/v1/resource/generic",
                                     {"id": name})
    assert status == 201 and resource["original_resource_id"] == name
    assert call(server, "GET", local(headers["Location"], server))[2][
        "original_resource_id"] == name

    # One metric named on the resource, one alone: both match the filter.
    ids = []
    for resource_id in (name, None):
        status, headers, metric = call(server, "POST", "/v1/metric", {
            "name": name.replace("/", ""), "unit": name[:5],
            "resource_id": resource_id})
        assert status == 201 and metric["archive_policy_name"] == name
        assert call(server, "GET", local(headers["Location"], server))[2][
            "resource_id"] == (resource_id and resource["id"])
        ids.append(metric["id"])
    status, headers, page = call(server, "GET", "/v1/metric?" + urlencode(
        {"name": name, "sort": "name:desc"}))
    assert status == 200 and len(page) == 1
    status, _, page2 = call(server, "GET", local(
        headers["Link"].split(">")[0][1:], server))
    assert status == 200 and {page[0]["id"], page2[0]["id"]} == set(ids)

    for metric_id in ids:
        assert call(server, "DELETE", f"/v1/metric/{metric_id}")[0] == 204
    assert call(server, "DELETE",
                f"/v1/resource/generic/{resource['id']}")[0] == 204
    for kind in ("archive_policy_rule", "archive_policy"):
        assert call(server, "DELETE", f"/v1/{kind}/{segment}",
                    headers=ADMIN)[0] == 204
        status, _, body = call(server, "GET", f"/v1/{kind}/{segment}")
        assert status == 404 and name in body["description"]


@pytest.mark.parametrize("name", NAMES)
def test_path_segments_and_query_values(server, name):
    segment = quote(name, safe="")
    for path in (f"/v1/{segment}", f"/v1/metric/{segment}",
                 f"/v1/metric/{segment}/measures",
                 f"/{segment}", "/v1/metric?" + urlencode({"sort": name}),
                 "/v1/metric?" + urlencode({"marker": name}),
                 "/v1/metric?" + urlencode({name: "x"})):
        status, _, body = call(server, "GET", path)
        assert status in (400, 404) and body["code"] == status, path
    metric = call(server, "POST", "/v1/metric", {})[2]["id"]
    for query in ({"aggregation": name}, {"granularity": name},
                  {"stat": name}, {"start": name}):
        status, _, body = call(server, "GET", f"/v1/metric/{metric}/measures?"
                               + urlencode(query))
        assert status == 400 and body["code"] == 400, query


@pytest.mark.parametrize("name", NAMES)
def test_headers(server, name):
    basic = base64.b64encode(f"{name}:".encode()).decode()
    for headers, expected in [({"X-User-Id": name}, 400),
                              ({"X-User-Id": "u", "X-Roles": name}, 200),
                              ({"Authorization": f"Basic {basic}"}, 400),
                              ({"Authorization": name}, 401),
                              # Not valid Accept syntax: ignored.
                              ({"Accept": f"text/{name}"}, 200),
                              ({"Accept": f"text/plain, x/{name}"}, 200),
                              ({"Content-Type": f"text/{name}"}, 415)]:
        method = "POST" if "Content-Type" in headers else "GET"
        status, _, body = call(server, method, "/v1/metric",
                               {} if method == "POST" else None, headers)
        assert status == expected, (headers, body)
