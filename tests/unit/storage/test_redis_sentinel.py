"""The redis driver behind Redis Sentinel: configuration, a master killed
mid-load, and what ``min_replicas`` guarantees of acknowledged writes.

The tests that fail the master over run on the test Sentinel set
(:mod:`tests.redis_sentinel`) and restore it before they end.
"""
import time

import numpy as np
import pytest

from statsvc.storage import StorageUnavailable
from statsvc.storage.redis_connection import NotReplicated, url_of
from statsvc.storage.redis_driver import RedisDriver
from tests import redis_helpers
from tests import redis_sentinel
from tests.unit.storage.helpers import assert_series, new_metric, seconds

# A dead master or sentinel answers "connection refused" at once here; a
# request costs at most two socket timeouts (one retry) and a WAIT.
TIMEOUTS = {"socket_timeout": "0.5", "socket_connect_timeout": "0.5",
            "wait_timeout_ms": "200"}
BOUND = 4 * 0.5 + 0.2 + 1


@pytest.fixture
def sentinels(redis_sentinel):
    return redis_sentinel


@pytest.fixture
def make_driver(sentinels):
    drivers = []

    def make(**options):
        driver = RedisDriver({"url": redis_sentinel.URL, "chunk_seconds": "10",
                              "key_prefix": prefix, **TIMEOUTS, **options})
        drivers.append(driver)
        return driver

    prefix = redis_helpers.new_prefix()
    yield make
    for driver in drivers:
        driver.close()
    redis_sentinel.delete_prefix(prefix)


def test_options_name_the_same_store_as_a_sentinel_url():
    assert url_of({"sentinels": "127.0.0.1:7205, 127.0.0.1:7206",
                   "service_name": "stats", "db": "3"}) == (
        "sentinel://127.0.0.1:7205,127.0.0.1:7206/stats?db=3")
    assert url_of({}) == "redis://127.0.0.1:6379/0"


@pytest.mark.parametrize("options, message", [
    ({"sentinels": "h:1"}, "needs a service_name"),
    ({"sentinels": "h:1", "service_name": "s", "url": "redis://h"},
     "either url or sentinels"),
    ({"url": "sentinel://h:1/"}, "names one service"),
    ({"min_replicas": "-1"}, "min_replicas >= 0"),
    ({"min_replicas": "1", "wait_timeout_ms": "2000"},
     r"wait_timeout_ms \(2000\) must be shorter than its socket_timeout"),
])
def test_bad_options_are_refused_before_connecting(options, message):
    with pytest.raises(ValueError, match=message):
        RedisDriver(options)


def test_no_master_known_is_unavailable_quickly(sentinels):
    began = time.monotonic()
    with pytest.raises(StorageUnavailable, match="No master found for 'nope'"):
        RedisDriver({"url": redis_sentinel.URL.replace("/statsvc", "/nope"),
                     **TIMEOUTS})
    assert time.monotonic() - began < BOUND


def test_no_sentinel_answering_is_unavailable_quickly():
    began = time.monotonic()
    with pytest.raises(StorageUnavailable, match="No master found") as info:
        RedisDriver({"url": "sentinel://:hunter2@127.0.0.1:7208,"
                            "127.0.0.1:7209/s", **TIMEOUTS})
    assert time.monotonic() - began < BOUND
    assert "hunter2" not in str(info.value)
    assert "sentinel://:***@127.0.0.1:7208" in str(info.value)


def test_a_write_too_few_replicas_applied_is_not_acknowledged(make_driver):
    driver = make_driver(min_replicas="3")  # there are 2
    metric_id = new_metric(make_driver(min_replicas="2"))
    with pytest.raises(NotReplicated, match=(
            "applied on the Redis master .* but only 2 of the 3 replicas "
            "required .* within 200 ms: it may or may not survive")):
        driver.add_measures({metric_id: (seconds(1), [1.0])})
    # Applied on the master, as said: reads see it.
    assert_series(driver.get_measures(metric_id), seconds(1), [1.0])
    with pytest.raises(NotReplicated):
        driver.create_document("archive_policy", "gold", {"name": "gold"})


def test_replication_lag_loses_acknowledged_writes_unless_min_replicas(
        sentinels, make_driver):
    """The master goes on alone (its replicas frozen, their links cut),
    then dies: whatever it acknowledged meanwhile is lost without
    ``min_replicas``; with it, nothing acknowledged is lost, because
    nothing was acknowledged."""
    plain, waiting = make_driver(), make_driver(min_replicas="1")
    metric_id = new_metric(waiting)
    waiting.add_measures({metric_id: (seconds(1), [1.0])})
    with sentinels.frozen_replicas():
        sentinels.cut_replication()
        plain.add_measures({metric_id: (seconds(2), [2.0])})  # acknowledged
        with pytest.raises(NotReplicated, match="only 0 of the 1"):
            waiting.add_measures({metric_id: (seconds(3), [3.0])})
        old = sentinels.kill_master()
    try:
        sentinels.wait_failover(old)
        # Point 1 was acknowledged by a replica, point 2 only by the master.
        assert_series(waiting.get_measures(metric_id), seconds(1), [1.0])
    finally:
        sentinels.restore(old)


def test_wait_counts_the_replicas_that_applied_this_write(sentinels,
                                                          make_driver):
    """Frozen replicas are still connected and acknowledged every earlier
    write: a WAIT anywhere but on the connection of this write's EXEC would
    count them."""
    driver = make_driver(min_replicas="1")
    metric_id = new_metric(driver)
    sentinels.wait_replicated()
    with sentinels.frozen_replicas():
        with pytest.raises(NotReplicated, match="only 0 of the 1"):
            driver.add_measures({metric_id: (seconds(1), [1.0])})
        with pytest.raises(NotReplicated, match="only 0 of the 1"):
            driver.create_document("archive_policy", "gold", {"name": "g"})
    driver.add_measures({metric_id: (seconds(2), [2.0])})
    assert_series(driver.get_measures(metric_id), seconds(1, 2), [1.0, 2.0])


@pytest.mark.parametrize("min_replicas", ["0", "1"])
def test_master_killed_mid_load(sentinels, make_driver, min_replicas):
    """SIGKILL the master while 4 writers append: the driver answers
    StorageUnavailable, never hangs, follows the failover, and every batch
    is stored whole or not at all. With ``min_replicas = 1`` every
    acknowledged batch survives (here each write reaches both replicas'
    sockets in the same event loop turn, so whichever is promoted has it);
    without it, what was lost is printed (the README quotes it)."""
    driver = make_driver(min_replicas=min_replicas)
    metric_ids = [new_metric(driver) for _ in range(4)]
    with redis_sentinel.Load(driver, metric_ids) as load:
        load.acked_after(20)
        old = sentinels.kill_master()
        try:
            sentinels.wait_failover(old)
            load.acked_after(20)
        finally:
            load.stopping.set()
            sentinels.restore(old)
    assert load.errors, "the kill did not interrupt the writers"
    assert load.slowest < BOUND
    lost = 0
    for metric_id in metric_ids:
        ts, values = driver.get_measures(metric_id)
        batches, counts = np.unique(values, return_counts=True)
        assert set(counts) == {redis_sentinel.BATCH}, "a batch was stored in part"
        lost += len(set(load.acked[metric_id]) - set(batches.astype(int)))
    acked = sum(map(len, load.acked.values()))
    print(f"min_replicas={min_replicas}: {lost} of {acked} acknowledged "
          f"batches lost, {len(load.errors)} answered unavailable")
    if min_replicas != "0":
        assert lost == 0
