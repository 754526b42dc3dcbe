"""Writes whose reply is lost: Redis applied them, the driver never heard.

A proxy between the driver and the test Redis forwards everything, and,
when armed with a command name, closes the driver's connection right after
Redis has answered that command, before the answer reaches the driver (a
failover or a network cut at the worst moment).  redis-py then reports a
lost ``EXEC`` as a ``WatchError``, and retries a lost plain command once:
the driver must not take its own applied write for someone else's.
"""
import socket
import threading
import uuid

import numpy as np
import pytest
import redis

from statsvc.storage import exceptions
from tests import redis_helpers
from tests.unit.storage.helpers import open_driver, seconds


class _CuttingProxy:
    """Forward 127.0.0.1:port to the test Redis; cut a connection once
    Redis has answered the armed command."""

    def __init__(self, target):
        self.target = target
        self.armed = None          # a RESP command name, as bytes
        self.cuts = 0
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def arm(self, command):
        self.armed = f"${len(command)}\r\n{command}\r\n".encode()

    def _accept(self):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            threading.Thread(target=self._pipe, args=(client, upstream),
                             daemon=True).start()

    def _pipe(self, client, upstream):
        try:
            while True:
                data = client.recv(65536)
                if not data:
                    return
                upstream.sendall(data)
                cut = self.armed is not None and self.armed in data.upper()
                # Read Redis' answer (its whole reply to what was sent:
                # a request and its answer alternate on this connection).
                upstream.settimeout(2)
                reply = upstream.recv(65536)
                if cut:
                    self.armed = None
                    self.cuts += 1
                    return      # the answer is dropped with the connection
                client.sendall(reply)
        except OSError:
            return
        finally:
            client.close()
            upstream.close()

    def close(self):
        self.server.close()


@pytest.fixture
def proxy():
    redis_helpers.redis_or_skip()
    url = redis.connection.parse_url(redis_helpers.REDIS_URL)
    proxy = _CuttingProxy((url.get("host", "127.0.0.1"),
                           url.get("port", 6379)))
    yield proxy
    proxy.close()


@pytest.fixture
def driver(proxy):
    prefix = redis_helpers.new_prefix()
    db = redis.connection.parse_url(redis_helpers.REDIS_URL).get("db", 0)
    driver = open_driver({"driver": "redis", "key_prefix": prefix,
                          "url": f"redis://127.0.0.1:{proxy.port}/{db}"})
    yield driver
    driver.close()
    redis_helpers.delete_redis_prefix(prefix)


def test_upstream_reports_a_lost_exec_reply_as_a_watch_error(proxy):
    # What the driver relies on (redis-py's Pipeline.execute): the lost
    # connection is the WatchError's context, which a changed key lacks.
    db = redis.connection.parse_url(redis_helpers.REDIS_URL).get("db", 0)
    client = redis.Redis(port=proxy.port, db=db)
    key = f"statsvc-test:{uuid.uuid4()}"
    try:
        with client.pipeline() as pipe:
            pipe.watch(key)
            pipe.multi()
            pipe.set(key, "1")
            proxy.arm("EXEC")
            with pytest.raises(redis.WatchError) as lost:
                pipe.execute()
        assert isinstance(lost.value.__context__, redis.ConnectionError)
        assert client.get(key) == b"1"      # applied all the same
        with client.pipeline() as pipe:
            pipe.watch(key)
            client.set(key, "2")            # another writer comes first
            pipe.multi()
            pipe.set(key, "3")
            with pytest.raises(redis.WatchError) as changed:
                pipe.execute()
        assert changed.value.__context__ is None
    finally:
        client.delete(key)


def _metric(**doc):
    return {"id": str(uuid.uuid4()), "name": "m", **doc}


def test_a_metric_created_as_its_reply_is_lost_is_created(driver, proxy):
    metric = _metric()
    proxy.arm("EXEC")
    assert driver.create_metric(metric) == metric
    assert proxy.cuts == 1
    assert driver.get_metric(metric["id"]) == metric
    # Someone else's metric of that id is still refused.
    with pytest.raises(exceptions.MetricAlreadyExists):
        driver.create_metric(dict(metric, name="other"))


def test_a_metric_deleted_as_its_reply_is_lost_is_deleted(driver, proxy):
    metric = driver.create_metric(_metric())
    proxy.arm("EXEC")
    driver.delete_metric(metric["id"])
    assert proxy.cuts == 1
    with pytest.raises(exceptions.MetricNotFound):
        driver.get_metric(metric["id"])


def test_points_written_as_their_reply_is_lost_are_stored_once(driver,
                                                                proxy):
    metric = driver.create_metric(_metric())
    t = seconds(1, 2, 3)
    proxy.arm("EXEC")
    driver.add_measures({metric["id"]: (t, np.array([1.0, 2.0, 3.0]))})
    assert proxy.cuts == 1
    stored_t, stored_v = driver.get_measures(metric["id"])
    assert stored_t.tolist() == t.tolist()
    assert stored_v.tolist() == [1.0, 2.0, 3.0]


def test_documents_written_as_their_reply_is_lost_are_written(driver,
                                                               proxy):
    # Every document write is one script (with its index entries): loaded
    # first, so that the reply cut is that of a write applied.
    driver.create_document("rule", "r0", {"v": 0})
    proxy.arm("EVALSHA")
    driver.create_document("rule", "r1", {"v": 1})
    assert proxy.cuts == 1
    proxy.arm("EVALSHA")
    driver.replace_document("rule", "r1", {"v": 2}, expected={"v": 1})
    assert proxy.cuts == 2
    assert driver.get_document("rule", "r1") == {"v": 2}
    # Another writer's document, or a stale expectation, is still refused.
    with pytest.raises(exceptions.DocumentAlreadyExists):
        driver.create_document("rule", "r1", {"v": 3})
    with pytest.raises(exceptions.DocumentConflict):
        driver.replace_document("rule", "r1", {"v": 4}, expected={"v": 1})
