"""The redis driver when Redis is down, silent, or comes back.

These tests run a Redis server of their own on a free port, so that they can
stop it without disturbing anyone else's.
"""
import shutil
import socket
import subprocess
import time

import pytest

from statsvc.storage import StorageUnavailable
from statsvc.storage.redis_driver import RedisDriver
from tests.integration.server import free_port
from tests.redis_helpers import skip_unless_required
from tests.unit.storage.helpers import assert_series, new_metric, seconds

TIMEOUTS = {"socket_timeout": "0.5", "socket_connect_timeout": "0.5"}


class _RedisServer:
    """A throw-away ``redis-server`` that can be stopped and restarted."""

    def __init__(self, port):
        self.port = port
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.1).close()
                return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        self.process.kill()
        self.process.wait()


@pytest.fixture
def server():
    if shutil.which("redis-server") is None:
        skip_unless_required("redis-server is not installed")
    server = _RedisServer(free_port())
    server.start()
    yield server
    server.stop()


def _options(port, **extra):
    return {"url": f"redis://127.0.0.1:{port}/0", **TIMEOUTS, **extra}


def _assert_unavailable_quickly(call, port):
    began = time.monotonic()
    with pytest.raises(StorageUnavailable, match=f"127.0.0.1:{port}"):
        call()
    assert time.monotonic() - began < 3


def test_start_up_fails_clearly_when_redis_is_down():
    port = free_port()
    _assert_unavailable_quickly(lambda: RedisDriver(_options(port)), port)


def test_error_messages_hide_the_password():
    port = free_port()
    options = _options(port, url=f"redis://:hunter2@127.0.0.1:{port}/0")
    with pytest.raises(StorageUnavailable) as info:
        RedisDriver(options)
    assert "hunter2" not in str(info.value)
    assert ":***@" in str(info.value)


def test_a_silent_server_times_out_instead_of_hanging():
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        _assert_unavailable_quickly(lambda: RedisDriver(_options(port)), port)


def test_requests_fail_while_down_and_work_again_after(server):
    driver = RedisDriver(_options(server.port))
    metric_id = new_metric(driver)
    server.stop()
    for call in (driver.check,
                 lambda: driver.get_measures(metric_id),
                 lambda: driver.add_measures({metric_id: (seconds(1), [1.0])}),
                 driver.list_metrics):
        _assert_unavailable_quickly(call, server.port)
    # The server lost its data (no persistence) but the same driver object
    # serves again without a restart.
    server.start()
    driver.check()
    metric_id = new_metric(driver)
    driver.add_measures({metric_id: (seconds(1), [1.0])})
    assert_series(driver.get_measures(metric_id), seconds(1), [1.0])
