"""``statsvc-statsd`` under a real statsd client library, feeding statsvc
under real uwsgi; the points are read back through the v1 API."""
import os
import socket
import subprocess
import sys
import time
from urllib.parse import quote

import pytest

from tests.integration.server import Server

statsd_client = pytest.importorskip(
    "statsd", reason="the statsd client library (the test extra) is missing")

BIN = os.path.join(os.path.dirname(sys.executable), "statsvc-statsd")
FLUSH = 0.5  # seconds


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def udp_bound(port):
    """Whether something listens on the UDP port (it cannot be bound)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def measures(server, resource, name):
    status, body = server.request(
        "GET", f"/v1/resource/generic/{resource}/metric/"
               f"{quote(name, safe='')}/measures")
    return body if status == 200 else []


def wait_for(predicate, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with Server(tmp_path_factory.mktemp("statsd") / "data",
                workers=1) as server:
        yield server


def start_daemon(server, port, log_path, resource, flush):
    """``statsvc-statsd``, once it listens."""
    log = open(log_path, "wb")
    daemon = subprocess.Popen(
        [BIN, "--resource-id", resource, "--api-url", server.base,
         "--port", str(port), "--flush-delay", str(flush)],
        stdout=log, stderr=subprocess.STDOUT)
    log.close()
    # Its resource is created first, then it listens.
    assert wait_for(lambda: udp_bound(port)), log_path.read_text()
    return daemon


def test_statsd_client_packets_are_read_back(server, tmp_path):
    port = free_udp_port()
    daemon = start_daemon(server, port, tmp_path / "statsd.log", "app-1",
                          FLUSH)
    try:
        client = statsd_client.StatsClient("127.0.0.1", port)
        # One pipeline: one datagram, so one flush interval.
        with client.pipeline() as pipe:
            pipe.incr("hits", 3)
            pipe.incr("hits", 2)
            pipe.gauge("load", 0.5)
            pipe.gauge("load", 0.75)
            pipe.timing("req", 12)
            pipe.timing("req", 30)
        assert wait_for(lambda: measures(server, "app-1", "req|ms")), \
            (tmp_path / "statsd.log").read_text()
    finally:
        daemon.terminate()
        daemon.wait(10)
    assert [v for _, _, v in measures(server, "app-1", "hits|c")] == [5.0]
    assert [v for _, _, v in measures(server, "app-1", "load|g")] == [0.75]
    assert [v for _, _, v in measures(server, "app-1", "req|ms")] == [30.0]


def test_the_last_interval_is_flushed_on_sigterm(server, tmp_path):
    port = free_udp_port()
    daemon = start_daemon(server, port, tmp_path / "statsd.log", "app-2",
                          flush=3600)
    statsd_client.StatsClient("127.0.0.1", port).incr("jobs", 4)
    time.sleep(0.3)  # the datagram crosses loopback
    daemon.terminate()
    assert daemon.wait(10) == 0
    assert [v for _, _, v in measures(server, "app-2", "jobs|c")] == [4.0]
