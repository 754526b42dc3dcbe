"""A store written by the version before rollups (raw points only, made by
``tests/fixtures/store-before-rollups/make_store.py`` with that version's
code) opens, and each metric gets its archives, losing no point."""
import base64
import json
import pathlib
import shutil

import numpy as np
import pytest

from statsvc import aggregation
from statsvc import archive_policy
from statsvc.storage import redis_connection
from tests.fixtures import before_rollups as data
from tests.unit.storage.helpers import open_driver

STORE = pathlib.Path(__file__).parents[2] / "fixtures" / "store-before-rollups"

# Upgrades of stores written before Redis Cluster support.
pytestmark = pytest.mark.before_cluster


def old_store(options):
    """Put the fixture store where ``options`` point; return them."""
    if options["driver"] == "sqlite":
        target = pathlib.Path(options["data_dir"])
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(STORE / "statsvc.sqlite", target / "statsvc.sqlite")
    else:
        client = redis_connection.connect(options["url"], {})
        for name, value in json.loads(
                (STORE / "redis.json").read_text()).items():
            key = options["key_prefix"] + name
            if isinstance(value, dict):
                client.hset(key, mapping={
                    k: base64.b64decode(v) for k, v in value.items()})
            else:
                client.set(key, base64.b64decode(value))
    return options


def expected(metric, item, method):
    """Gnocchi's aggregates of every point written, as the version before
    rollups computed them at query time."""
    ts, values = data.points(metric["id"])
    grain = round(item["granularity"] * 1e9)
    bt, bv = aggregation.resample(ts, values, grain,
                                  archive_policy.aggregation_method(method))
    oldest = ts[-1] - ts[-1] % grain - (item["points"] - 1) * grain
    return bt[bt >= oldest], bv[bt >= oldest]


def test_old_store_gets_archives_of_every_point(driver_options):
    driver = open_driver(old_store(driver_options))
    for metric in data.METRICS:
        assert driver.get_metric(metric["id"]).get("rollup") is None
        policy = driver.get_document("archive_policy",
                                     metric["archive_policy_name"])
        driver.set_rollup(metric["id"], archive_policy.rollup_spec(policy))
        for item in policy["definition"]:
            for method in policy["aggregation_methods"]:
                got = driver.get_archive(metric["id"],
                                         round(item["granularity"] * 1e9),
                                         method)
                want = expected(metric, item, method)
                np.testing.assert_array_equal(got[0], want[0])
                np.testing.assert_allclose(got[1], want[1], rtol=1e-12,
                                           equal_nan=True)
        # Raw points no archive needs any more are gone; the newest stay.
        ts = driver.get_measures(metric["id"])[0]
        assert 0 < len(ts) < len(data.points(metric["id"])[0])
        assert ts[-1] == data.points(metric["id"])[0][-1]
    driver.close()
