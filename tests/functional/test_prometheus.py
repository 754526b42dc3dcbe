"""``POST /v1/prometheus/write``: remote_write mapped onto ``prometheus``
resources and metrics, through the real app."""
import pathlib
import struct
from urllib.parse import quote

import cramjam
import pytest

from statsvc.ingest import remote_write_pb2

# A body Prometheus 2.0 sent to Gnocchi (from Gnocchi 4.x's tests, Apache-2.0).
PROMETHEUS_BODY = (pathlib.Path(__file__).parent.parent / "fixtures" /
                   "prometheus" / "gnocchi-031b586e.dump").read_bytes()
HEADERS = {"Content-Type": "application/x-protobuf",
           "Content-Encoding": "snappy",
           "X-Prometheus-Remote-Write-Version": "0.1.0"}
# Prometheus' staleness marker: a NaN with its own payload.
STALE, = struct.unpack("<d", struct.pack("<Q", 0x7FF0000000000002))


def body(*series):
    """A snappy-compressed WriteRequest of ``(labels, [(ms, value)])``."""
    request = remote_write_pb2.WriteRequest()
    for labels, samples in series:
        ts = request.timeseries.add()
        for name, value in labels.items():
            ts.labels.add(name=name, value=value)
        for stamp, value in samples:
            ts.samples.add(timestamp=stamp, value=value)
    return bytes(cramjam.snappy.compress_raw(request.SerializeToString()))


def write(app, data, status=204):
    return app.post("/v1/prometheus/write", data, headers=HEADERS,
                    status=status)


def measures(app, resource, name):
    return app.get(f"/v1/resource/prometheus/{quote(resource)}/metric/"
                   f"{quote(name, safe='')}/measures").json


def test_a_body_prometheus_sent_is_stored_as_gnocchi_maps_it(app):
    write(app, PROMETHEUS_BODY)
    resource, = app.get("/v1/resource/prometheus").json
    assert (resource["job"], resource["instance"]) == ("prometheus",
                                                       "localhost:9090")
    assert resource["original_resource_id"] == "prometheus@localhost:9090"
    assert measures(app, "prometheus@localhost:9090",
                    "scrape_samples_scraped") == [
        ["2017-09-23T06:02:58.352000+00:00", None, 558.0]]
    assert "go_gc_duration_seconds@quantile=0.5" in resource["metrics"]


def test_resources_per_job_and_instance_metrics_per_label_set(app):
    write(app, body(
        ({"__name__": "up", "job": "node", "instance": "a:9100"},
         [(1000, 1.0), (2000, 0.0)]),
        ({"__name__": "up", "job": "node", "instance": "b:9100"},
         [(1000, 1.0)]),
        ({"__name__": "http_requests_total", "job": "node",
          "instance": "a:9100", "path": "/api", "code": "200"},
         [(1000, 5.0), (2000, STALE), (3000, float("inf"))]),
        ({"__name__": "orphan"}, [(1000, 2.0)])))
    names = {r["original_resource_id"]: sorted(r["metrics"])
             for r in app.get("/v1/resource/prometheus").json}
    assert names == {
        "node@a:9100": ["http_requests_total@code=200,path=_api", "up"],
        "node@b:9100": ["up"], "none@none": ["orphan"]}
    assert [v for _, _, v in measures(app, "node@a:9100", "up")] == [1.0, 0.0]
    # Staleness markers and infinities are not values: dropped.
    assert measures(app, "node@a:9100",
                    "http_requests_total@code=200,path=_api") == [
        ["1970-01-01T00:00:01+00:00", None, 5.0]]


def test_series_of_only_stale_samples_create_nothing(app):
    write(app, body(({"__name__": "gone", "job": "j", "instance": "i"},
                     [(1000, STALE)])))
    assert app.get("/v1/resource/prometheus").json == []


@pytest.mark.parametrize("data,reason", [
    (b"", "not snappy"),
    (b"\xff\xff\xff\xff\xff\xff", "not snappy"),
    (bytes(cramjam.snappy.compress_raw(b"\xff\x01garbage")),
     "not a remote_write WriteRequest"),
    (body(({"job": "j"}, [(1, 1.0)])), "no __name__"),
    (body(({"__name__": "x", "job": "a/b"}, [(1, 1.0)])), "resource id"),
    (body(({"__name__": "x", "job": "j" * 256}, [(1, 1.0)])), "job"),
])
def test_malformed_bodies_are_a_400_and_store_nothing(app, data, reason):
    resp = write(app, body(({"__name__": "ok", "job": "j"}, [(1, 1.0)]))[:0]
                 + data, status=400)
    assert reason in resp.json["description"]["reason"]
    assert app.get("/v1/metric").json == []


def test_a_body_decompressing_past_the_limit_is_refused_unread(make_app):
    app = make_app(api={"max_body_size": "16384"})
    big = body(({"__name__": "x", "job": "j"}, [(0, 1.0)] * 20000))
    assert len(big) < 16384
    resp = write(app, big, status=400)
    assert "over the limit of 16384" in resp.json["description"]["reason"]
