"""Fixtures running the storage suite against every installed driver.

Redis tests use ``STATSVC_TEST_REDIS_URL`` (default database 15 of the local
server) under a key prefix of their own, deleted afterwards. They are
skipped when no Redis answers, unless ``STATSVC_REQUIRE_REDIS=1``.
"""
import uuid

import pytest

from tests.unit.storage import helpers


@pytest.fixture(params=helpers.DRIVER_NAMES)
def driver_options(request, tmp_path):
    """Options for a fresh, empty store of each installed driver."""
    name = request.param
    options = {"driver": name, "chunk_seconds": str(helpers.CHUNK_SECONDS)}
    if name == "sqlite":
        options["data_dir"] = str(tmp_path / "data")
    elif name == "redis":
        helpers.redis_or_skip()
        prefix = f"statsvc-test:{uuid.uuid4()}:"
        options.update(url=helpers.REDIS_URL, key_prefix=prefix)
        request.addfinalizer(lambda: helpers.delete_redis_prefix(prefix))
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
