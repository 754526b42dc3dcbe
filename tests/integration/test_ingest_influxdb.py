"""Line protocol into statsvc under real uwsgi: the ``influxdb-client``
library writes, chunked bodies arrive whole, and the points are read back
through the v1 API."""
import base64
import http.client
from urllib.parse import quote

import pytest

from tests.integration.server import Server

influxdb_client = pytest.importorskip(
    "influxdb_client", reason="influxdb-client (the test extra) is missing")
from influxdb_client.client.write_api import SYNCHRONOUS  # noqa: E402

T0 = 1_700_000_000


MAX_BODY = 16384  # bytes: small, for the limit test


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    base = tmp_path_factory.mktemp("influx")
    (base / "statsvc.conf").write_text(f"[api]\nmax_body_size = {MAX_BODY}\n")
    with Server(base / "data", workers=1,
                extra_args=["--config", str(base / "statsvc.conf")]) as server:
        status, _ = server.request(
            "POST", "/v1/influxdb/query?q=" + quote("CREATE DATABASE telegraf"))
        assert status == 204
        yield server


def basic(user):
    return {"Authorization": "Basic " +
            base64.b64encode(f"{user}:".encode()).decode()}


def values(server, resource, name, user="admin"):
    """The points of a resource's metric, as ``user`` (resource names
    map to ids per creator) sees them."""
    status, measures = server.request(
        "GET", f"/v1/resource/telegraf/{quote(resource)}/metric/"
               f"{quote(name, safe='')}/measures", headers=basic(user))
    assert status == 200, measures
    return [(when, value) for when, _, value in measures]


def test_influxdb_client_writes_are_read_back(server):
    points = [influxdb_client.Point("cpu").tag("host", "web1")
              .tag("cpu", "cpu0").field("usage", 10.0 + i).field("n", i)
              .time(T0 + i, write_precision="s") for i in range(3)]
    with influxdb_client.InfluxDBClient(
            url=server.base + "/v1/influxdb", token="telegraf:",
            auth_basic=True, org="-", enable_gzip=True) as client:
        assert client.ping()
        client.write_api(write_options=SYNCHRONOUS).write(
            bucket="telegraf", record=points, write_precision="s")
    assert values(server, "web1", "cpu.usage@cpu=cpu0", "telegraf") == [
        ("2023-11-14T22:13:20+00:00", 10.0),
        ("2023-11-14T22:13:21+00:00", 11.0),
        ("2023-11-14T22:13:22+00:00", 12.0)]
    assert values(server, "web1", "cpu.n@cpu=cpu0", "telegraf") == [
        ("2023-11-14T22:13:20+00:00", 0.0),
        ("2023-11-14T22:13:21+00:00", 1.0),
        ("2023-11-14T22:13:22+00:00", 2.0)]


def chunked_post(server, chunks):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request("POST", "/v1/influxdb/write?db=telegraf&precision=s",
                     body=iter(chunks), encode_chunked=True,
                     headers={"Content-Type": "text/plain"})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def test_a_chunked_body_reaches_the_app_whole(server):
    # A line split across chunks, as a streaming writer sends it.
    status, body = chunked_post(server, [
        f"mem,host=web2 used=1 {T0}\nmem,host=w".encode(),
        f"eb2 used=2 {T0 + 1}\n".encode()] + [
        f"mem,host=web2 used={i} {T0 + i}\n".encode() for i in range(2, 200)])
    assert status == 204, body
    got = values(server, "web2", "mem.used")
    assert len(got) == 200 and got[1] == ("2023-11-14T22:13:21+00:00", 2.0)


def test_a_bad_line_in_a_chunked_body_stores_nothing(server):
    status, body = chunked_post(server, [
        f"disk,host=web3 free=1 {T0}\n".encode(),
        f"disk,host=web3 free= {T0}\n".encode()])
    assert status == 400 and b'"line":2' in body
    status, _ = server.request("GET", "/v1/resource/telegraf/web3")
    assert status == 404


def test_a_chunked_body_over_the_limit_is_a_413(server):
    # No Content-Length to check first: the reader stops at the limit.
    lines = [f"mem,host=big used={i} {T0 + i}\n".encode() for i in range(800)]
    assert sum(map(len, lines)) > MAX_BODY
    status, body = chunked_post(server, lines)
    assert status == 413, body
    assert server.request("GET", "/v1/resource/telegraf/big")[0] == 404
