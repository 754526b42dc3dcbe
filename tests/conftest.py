"""Suite-wide settings."""
import os
import shutil

import pytest
from hypothesis import settings

from tests import redis_cluster as redis_cluster_helpers
from tests import redis_helpers
from tests import redis_sentinel as redis_sentinel_helpers

# CI runs the same examples every time (a CI failure is then reproducible
# and never random); developers' runs keep exploring new ones.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def redis_sentinel():
    """The test Sentinel set (:mod:`tests.redis_sentinel`), started once for
    the session when a test first needs it; tests that fail its master over
    restore it before they end."""
    missing = redis_sentinel_helpers.binaries_missing()
    if missing:
        redis_helpers.skip_unless_required(missing)
    if not redis_helpers.ports_free(redis_sentinel_helpers.DATA_PORTS
                                     + redis_sentinel_helpers.SENTINEL_PORTS):
        pytest.fail(f"ports {redis_sentinel_helpers.DATA_PORTS} and "
                    f"{redis_sentinel_helpers.SENTINEL_PORTS} are in use: "
                    "the test Sentinel set needs them")
    sentinels = redis_sentinel_helpers.SentinelSet()
    try:
        sentinels.start()
        yield sentinels
    finally:
        sentinels.stop()


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "before_cluster: a test of stores older than Redis "
        "Cluster support, not run on the cluster")


@pytest.fixture(scope="session")
def redis_cluster():
    """The test Redis Cluster (:mod:`tests.redis_cluster`), started once for
    the session when a test first needs it."""
    for tool in ("redis-server", "redis-cli"):
        if shutil.which(tool) is None:
            redis_helpers.skip_unless_required(
                f"{tool} is not installed (Debian: redis-server, redis-tools)")
    if not redis_helpers.ports_free(redis_cluster_helpers.PORTS):
        pytest.fail(f"ports {redis_cluster_helpers.PORTS} are in use: the "
                    "test Redis Cluster needs them")
    cluster = redis_cluster_helpers.Cluster()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
