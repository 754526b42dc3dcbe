"""Two API hosts sharing one Redis, or one Redis Cluster: what either
acknowledges, both serve.

Two ``statsvc-api`` uwsgi masters on two ports stand in for two hosts. Client
threads write through both at once, to metrics of their own and to metrics
they all share, each point known in advance; after every acknowledged write
the client reads the batch back through the *other* host, which must serve
it at once, exactly once. At the end both hosts serve every metric
identically: every acknowledged point, once, with its value.
"""
import contextlib
import datetime
import http.client
import json
import threading
import time
import uuid

import pytest

from tests import redis_cluster
from tests.integration.server import Server
from tests.redis_helpers import REDIS_URL, delete_redis_prefix, redis_or_skip

CLIENTS = 6
BATCHES = 24
BATCH = 20


def iso(seconds):
    """The service's rendering of a timestamp given in epoch seconds."""
    return datetime.datetime.fromtimestamp(
        seconds, datetime.timezone.utc).isoformat()


@pytest.fixture(params=["redis", "redis-cluster"])
def shared_config(request, tmp_path):
    """A configuration putting storage in the test Redis, or the test Redis
    Cluster, under a key prefix of this test's own, deleted afterwards."""
    prefix = f"statsvc-scale-out-{uuid.uuid4()}:"
    if request.param == "redis":
        redis_or_skip()
        url, delete = REDIS_URL, delete_redis_prefix
    else:
        request.getfixturevalue("redis_cluster")
        url = redis_cluster.URL.replace("redis:", "redis+cluster:")
        delete = redis_cluster.delete_prefix
    conf = tmp_path / "statsvc.conf"
    conf.write_text(f"[storage]\ndriver = redis\nurl = {url}\n"
                    f"key_prefix = {prefix}\n")
    yield conf
    delete(prefix)


@pytest.fixture
def hosts(tmp_path, shared_config):
    """Two running services on the shared store; their data dirs differ, so
    nothing but Redis is shared."""
    servers = [Server(tmp_path / f"host-{name}", workers=2,
                      extra_args=["--config", str(shared_config)])
               for name in "ab"]
    with contextlib.ExitStack() as stack:
        for server in servers:
            stack.enter_context(server)
        yield servers


class Connection:
    """A keep-alive HTTP connection to one host, JSON in and out."""

    def __init__(self, server):
        self.http = http.client.HTTPConnection("127.0.0.1", server.port,
                                               timeout=10)

    def request(self, method, path, body=None):
        headers = {"Content-Type": "application/json"} if body else {}
        self.http.request(method, path, body and json.dumps(body), headers)
        response = self.http.getresponse()
        raw = response.read()
        return response.status, json.loads(raw) if raw else None

    def close(self):
        self.http.close()


class Client(threading.Thread):
    """Writes ``BATCHES`` batches, alternating hosts, cycling through
    ``metrics``; checks each acknowledged batch through the other host.

    Client ``n`` writes at epoch seconds ``n * 10**6 + k`` the value
    ``k + n / 10``: no two clients write the same timestamp, and each point
    says who wrote it and what it holds.
    """

    def __init__(self, number, hosts, metrics):
        super().__init__(daemon=True)
        self.number, self.hosts, self.metrics = number, hosts, metrics
        self.acknowledged = {metric: {} for metric in metrics}
        self.problems = []

    def run(self):
        connections = [Connection(host) for host in self.hosts]
        try:
            for batch in range(BATCHES):
                self.write(batch, connections[batch % 2],
                           connections[(batch + 1) % 2])
        except Exception as exc:  # reported by the test, not lost in a thread
            self.problems.append(f"client {self.number}: {exc!r}")
        finally:
            for connection in connections:
                connection.close()

    def write(self, batch, writer, reader):
        metric = self.metrics[batch % len(self.metrics)]
        first = self.number * 10**6 + batch * BATCH
        points = {first + i: batch * BATCH + i + self.number / 10
                  for i in range(BATCH)}
        status, body = writer.request(
            "POST", f"/v1/metric/{metric}/measures",
            [{"timestamp": ts, "value": v} for ts, v in points.items()])
        if status != 202:
            self.problems.append(f"POST {metric}: {status} {body}")
            return
        self.acknowledged[metric].update(points)
        status, body = reader.request(
            "GET", f"/v1/metric/{metric}/measures"
                   f"?start={first}&stop={first + BATCH}")
        expected = [[iso(ts), None, v] for ts, v in points.items()]
        if status != 200 or body != expected:
            self.problems.append(
                f"batch {batch} of client {self.number} on {metric} read "
                f"through the other host: {status} {body}")


def test_two_hosts_serve_every_acknowledged_point_at_once(hosts):
    a, b = hosts
    created_on_a = a.request("POST", "/v1/metric", {"name": "shared-a"})[1]
    created_on_b = b.request("POST", "/v1/metric", {"name": "shared-b"})[1]
    # A metric created on one host is at once readable on the other.
    assert b.request("GET", f"/v1/metric/{created_on_a['id']}") == (
        200, created_on_a)
    assert a.request("GET", f"/v1/metric/{created_on_b['id']}") == (
        200, created_on_b)
    shared = [created_on_a["id"], created_on_b["id"]]

    clients = []
    for n in range(1, CLIENTS + 1):
        own = hosts[n % 2].request("POST", "/v1/metric",
                                   {"name": f"client-{n}"})[1]["id"]
        clients.append(Client(n, hosts, [*shared, own]))
    began = time.monotonic()
    for client in clients:
        client.start()
    for client in clients:
        client.join(60)
        assert not client.is_alive()
    elapsed = time.monotonic() - began

    assert [p for client in clients for p in client.problems] == []
    expected = {}
    for client in clients:
        for metric, points in client.acknowledged.items():
            expected.setdefault(metric, {}).update(points)
    # Every batch was acknowledged: nothing here is allowed to fail.
    assert sum(map(len, expected.values())) == CLIENTS * BATCHES * BATCH
    for metric, points in expected.items():
        want = [[iso(ts), None, v] for ts, v in sorted(points.items())]
        assert a.request("GET", f"/v1/metric/{metric}/measures") == (
            200, want)
        assert b.request("GET", f"/v1/metric/{metric}/measures") == (
            200, want)

    listed = [{m["id"] for m in host.request("GET", "/v1/metric")[1]}
              for host in hosts]
    assert listed[0] == listed[1] == set(expected)
    # Deleted through one host, gone from the other.
    assert b.request("DELETE", f"/v1/metric/{shared[0]}")[0] == 204
    assert a.request("GET", f"/v1/metric/{shared[0]}")[0] == 404
    print(f"{CLIENTS * BATCHES} batches written and read back across hosts "
          f"in {elapsed:.2f} s")


def test_two_hosts_roll_up_one_metric_together(hosts):
    """Writers on both hosts into one metric with a policy: each batch is
    at once in every granularity through the other host, and the archives
    hold every acknowledged point once."""
    a, b = hosts
    assert a.request("POST", "/v1/archive_policy", {
        "name": "shared-rollup", "back_window": 100_000,
        "aggregation_methods": ["count", "sum"],
        "definition": [{"granularity": 1, "points": 10_000},
                       {"granularity": 60, "points": 1_000}]})[0] == 201
    metric = b.request("POST", "/v1/metric",
                       {"archive_policy_name": "shared-rollup"})[1]["id"]
    problems = []

    def write(n):
        for batch in range(10):
            writer, reader = hosts[(n + batch) % 2], hosts[(n + batch + 1) % 2]
            times = [(batch * BATCH + i) * 4 + n for i in range(BATCH)]
            if writer.request("POST", f"/v1/metric/{metric}/measures", [
                    {"timestamp": t, "value": 1.0} for t in times])[0] != 202:
                problems.append(f"POST by {n} refused")
            status, body = reader.request(
                "GET", f"/v1/metric/{metric}/measures?granularity=1"
                       f"&aggregation=count&start={times[0]}"
                       f"&stop={times[-1] + 1}")
            if not {iso(t) for t in times} <= {p[0] for p in body}:
                problems.append(f"batch {batch} of {n} not at once: {body}")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert problems == []
    for host in hosts:
        for granularity in (1, 60):
            status, body = host.request(
                "GET", f"/v1/metric/{metric}/measures?aggregation=sum"
                       f"&granularity={granularity}")
            assert status == 200
            assert sum(p[2] for p in body) == 4 * 10 * BATCH
