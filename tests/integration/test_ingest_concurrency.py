"""Concurrent first writes to one resource (Prometheus' parallel shards)
under real uwsgi: no series loses a point or ends on a second metric."""
import base64
import http.client
import threading
from urllib.parse import quote

import cramjam

from statsvc.ingest import remote_write_pb2
from tests.integration.server import Server

WRITERS = 8
SERIES = 5  # new series per writer, all on one job/instance
AUTH = {"Authorization": "Basic " + base64.b64encode(b"admin:").decode()}


def body(names, stamps_ms):
    request = remote_write_pb2.WriteRequest()
    for name in names:
        series = request.timeseries.add()
        for label, value in (("__name__", name), ("job", "j"),
                             ("instance", "i")):
            series.labels.add(name=label, value=value)
        for stamp in stamps_ms:
            series.samples.add(timestamp=stamp, value=1.0)
    return bytes(cramjam.snappy.compress_raw(request.SerializeToString()))


def post(server, data):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        conn.request("POST", "/v1/prometheus/write", body=data, headers={
            **AUTH, "Content-Type": "application/x-protobuf",
            "Content-Encoding": "snappy"})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def test_parallel_first_writes_keep_every_series_whole(tmp_path):
    names = [[f"s{w}_{n}" for n in range(SERIES)] for w in range(WRITERS)]
    with Server(tmp_path / "data", workers=2) as server:
        start = threading.Barrier(WRITERS)
        results = []

        def write(mine):
            start.wait()
            results.append(post(server, body(mine, [1000, 2000])))

        threads = [threading.Thread(target=write, args=(mine,))
                   for mine in names]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert [status for status, _ in results] == [204] * WRITERS, results
        every = [name for mine in names for name in mine]
        status, resource = server.request(
            "GET", "/v1/resource/prometheus/" + quote("j@i"), headers=AUTH)
        assert sorted(resource["metrics"]) == sorted(every)
        # The next write of every series, one request.
        assert post(server, body(every, [3000]))[0] == 204
        status, resource = server.request(
            "GET", "/v1/resource/prometheus/" + quote("j@i"), headers=AUTH)
        assert sorted(resource["metrics"]) == sorted(every)
        for name in every:
            status, points = server.request(
                "GET", f"/v1/resource/prometheus/{quote('j@i')}/metric/"
                       f"{name}/measures", headers=AUTH)
            assert [p[0][17:19] for p in points] == ["01", "02", "03"], name
        status, metrics = server.request("GET", "/v1/metric", headers=AUTH)
        assert len(metrics) == len(every), "a series got a second metric"
