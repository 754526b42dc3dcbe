"""The test Redis, shared by the storage, functional and integration tests.

Tests use ``STATSVC_TEST_REDIS_URL`` (default database 15 of the local
server) under a key prefix of their own, and delete that prefix afterwards:
never the whole database, which other suites may be using. A test needing
Redis is skipped when none answers, and fails instead when
``STATSVC_REQUIRE_REDIS=1`` (as in ``.ci/run``).
"""
import os
import socket
import time
import uuid

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

REDIS_URL = os.environ.get("STATSVC_TEST_REDIS_URL",
                           "redis://127.0.0.1:6379/15")


def skip_unless_required(message):
    """Skip the test for ``message``, or fail if Redis is required."""
    if os.environ.get("STATSVC_REQUIRE_REDIS") == "1":
        pytest.fail(message + " (STATSVC_REQUIRE_REDIS=1)")
    pytest.skip(message)


def redis_or_skip():
    """Skip the test when Redis is down, or fail if it is required."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1,
                             retry=Retry(NoBackoff(), 0)).ping()
    except redis.ConnectionError as exc:
        skip_unless_required(f"no Redis at {REDIS_URL}: {exc}")


def delete_redis_prefix(prefix):
    """Delete every key under ``prefix`` in the test Redis database."""
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=prefix + "*", count=1000))
    if keys:
        client.delete(*keys)


def new_prefix():
    """A key prefix of one test's own."""
    return f"statsvc-test:{uuid.uuid4()}:"


def listening(port):
    """Whether something accepts connections on 127.0.0.1:``port``."""
    with socket.socket() as sock:
        sock.settimeout(0.1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def ports_free(ports):
    """Whether nothing listens on any of ``ports`` (test servers' own)."""
    return not any(listening(port) for port in ports)


def wait_port(port, timeout=10):
    """Wait until a test server listens on ``port``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if listening(port):
            return
        time.sleep(0.02)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")
