"""Many clients, several uwsgi workers, one worker SIGKILLed mid-run.

Every point whose POST was acknowledged (202) must be stored exactly once
with its value; points of failed requests may or may not be there, but
never corrupted; the service keeps answering.
"""
import datetime
import http.client
import json
import os
import re
import signal
import threading
import time
import uuid

import pytest

from statsvc.storage import load_driver
from tests.integration.server import Server
from tests.redis_helpers import REDIS_URL, delete_redis_prefix, redis_or_skip

WORKERS = 3
CLIENTS = 6
BATCH = 20
RUN_SECONDS = 3.0


class Client(threading.Thread):
    """Posts batches of unique points to every metric until stopped.

    Client ``n`` writes timestamps ``n * 10**6 + k`` with value ``k``, so
    that each point says who wrote it and what it must hold.
    """

    def __init__(self, number, port, metrics, stop):
        super().__init__(daemon=True)
        self.number, self.port, self.metrics, self.stop = (
            number, port, metrics, stop)
        self.acknowledged = {metric: {} for metric in metrics}
        self.sent = {metric: {} for metric in metrics}
        self.failures = 0

    def run(self):
        connection = None
        k = 0
        deadline = time.monotonic() + 30  # a hung server cannot hang CI
        while not self.stop.is_set() and time.monotonic() < deadline:
            metric = self.metrics[k // BATCH % len(self.metrics)]
            points = {self.number * 10 ** 6 + k + i: float(k + i)
                      for i in range(BATCH)}
            k += BATCH
            self.sent[metric].update(points)
            body = json.dumps([{"timestamp": ts, "value": value}
                               for ts, value in points.items()])
            try:
                connection = connection or http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=10)
                connection.request("POST", f"/v1/metric/{metric}/measures",
                                   body, {"Content-Type": "application/json"})
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                status = None
            if status == 202:
                self.acknowledged[metric].update(points)
            else:
                self.failures += 1
                if connection is not None:
                    connection.close()
                connection = None
        if connection is not None:
            connection.close()


def read_log(server):
    with open(server.log_path, "rb") as f:
        return f.read().decode(errors="replace")


def worker_pids(server):
    """PIDs of the workers uwsgi spawned at start, in worker order."""
    return [int(pid) for pid in re.findall(
        r"spawned uWSGI worker \d+ \(pid: (\d+)", read_log(server))]


def stored(server, metric):
    status, points = server.request("GET", f"/v1/metric/{metric}/measures")
    assert status == 200
    return points


@pytest.fixture(params=["sqlite", "redis"])
def storage_args(request, tmp_path):
    if request.param == "sqlite":
        # Create the store before the workers start: several workers
        # creating it at once can fail on "PRAGMA journal_mode=WAL"
        # ("database is locked"), a start-up race outside this test's scope.
        load_driver({"driver": "sqlite",
                     "data_dir": str(tmp_path / "data")}).close()
        yield []
        return
    redis_or_skip()
    prefix = f"statsvc-sigkill-{uuid.uuid4()}:"
    conf = tmp_path / "statsvc.conf"
    conf.write_text(f"[storage]\ndriver = redis\nurl = {REDIS_URL}\n"
                    f"key_prefix = {prefix}\n")
    yield ["--config", str(conf)]
    delete_redis_prefix(prefix)


def test_sigkill_of_a_worker_loses_no_acknowledged_point(tmp_path,
                                                         storage_args):
    with Server(tmp_path / "data", workers=WORKERS,
                extra_args=storage_args) as server:
        metrics = [server.request("POST", "/v1/metric", {})[1]["id"]
                   for _ in range(2)]
        stop = threading.Event()
        clients = [Client(n, server.port, metrics, stop)
                   for n in range(1, CLIENTS + 1)]
        for client in clients:
            client.start()
        time.sleep(RUN_SECONDS / 2)
        victim = worker_pids(server)[0]
        os.kill(victim, signal.SIGKILL)
        time.sleep(RUN_SECONDS / 2)
        stop.set()
        for client in clients:
            client.join(60)
            assert not client.is_alive()

        acknowledged = sum(len(points) for client in clients
                           for points in client.acknowledged.values())
        assert acknowledged > 0
        for metric in metrics:
            points = stored(server, metric)
            timestamps = [point[0] for point in points]
            assert len(timestamps) == len(set(timestamps))  # exactly once
            found = {int(datetime.datetime.fromisoformat(iso).timestamp()):
                     value for iso, _, value in points}
            for client in clients:
                for ts, value in client.acknowledged[metric].items():
                    assert found.get(ts) == value, (metric, ts)
                # Nothing stored that was never sent, nor altered.
                written = {ts: v for ts, v in found.items()
                           if ts // 10 ** 6 == client.number}
                assert all(client.sent[metric][ts] == v
                           for ts, v in written.items())
            assert sum(ts // 10 ** 6 in range(1, CLIENTS + 1)
                       for ts in found) == len(found)

        # uwsgi replaced the killed worker and the service still answers.
        assert f"worker 1 (pid: {victim}) died, killed by signal 9" in \
            read_log(server)
        assert "Respawned uWSGI worker 1" in read_log(server)
        assert server.request("GET", "/v1/status")[0] == 200
        status, _ = server.request("POST", f"/v1/metric/{metrics[0]}/measures",
                                   [{"timestamp": 1, "value": 1}])
        assert status == 202
