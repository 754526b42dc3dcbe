"""Fixtures running the storage suite against every installed driver, and
the redis driver behind Redis Sentinel (``redis-sentinel``) and on a
Redis Cluster (``redis-cluster``).

Redis tests use the test Redis of :mod:`tests.redis_helpers`, the test
Sentinel set of :mod:`tests.redis_sentinel` or the test cluster of
:mod:`tests.redis_cluster`, under a key prefix of their own, deleted
afterwards.
"""

import pytest

from tests import redis_cluster
from tests import redis_helpers
from tests import redis_sentinel
from tests.unit.storage import helpers


@pytest.fixture(params=helpers.STORE_NAMES)
def driver_options(request, tmp_path):
    """Options for a fresh, empty store of each installed driver."""
    name = request.param
    options = {"driver": name, "chunk_seconds": str(helpers.CHUNK_SECONDS)}
    if name == "sqlite":
        options["data_dir"] = str(tmp_path / "data")
    elif name == "redis":
        redis_helpers.redis_or_skip()
        prefix = redis_helpers.new_prefix()
        options.update(url=redis_helpers.REDIS_URL, key_prefix=prefix)
        request.addfinalizer(lambda: redis_helpers.delete_redis_prefix(prefix))
    elif name == "redis-sentinel":
        request.getfixturevalue("redis_sentinel")
        prefix = redis_helpers.new_prefix()
        # Every write also waits for both replicas (WAIT after EXEC).
        options.update(driver="redis", url=redis_sentinel.URL,
                       key_prefix=prefix, min_replicas="2")
        request.addfinalizer(lambda: redis_sentinel.delete_prefix(prefix))
    elif name == "redis-cluster":
        if request.node.get_closest_marker("before_cluster"):
            pytest.skip("stores of older layouts never were on a cluster")
        request.getfixturevalue("redis_cluster")
        prefix = redis_helpers.new_prefix()
        options.update(driver="redis", cluster="true", url=redis_cluster.URL,
                       key_prefix=prefix)
        request.addfinalizer(lambda: redis_cluster.delete_prefix(prefix))
    else:
        pytest.fail(f"no test options for storage driver {name!r}")
    return options


@pytest.fixture
def make_driver(driver_options):
    """Return a factory of drivers on the test's store; closes them after."""
    drivers = []

    def make(**overrides):
        driver = helpers.open_driver({**driver_options, **overrides})
        drivers.append(driver)
        return driver

    yield make
    for driver in drivers:
        driver.close()


@pytest.fixture
def driver(make_driver):
    """A driver on a fresh, empty store."""
    return make_driver()
