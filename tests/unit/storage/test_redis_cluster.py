"""The redis driver on a real Redis Cluster (:mod:`tests.redis_cluster`):
where keys go, batches over several shards, a shard down, a resharding."""
import subprocess
import threading
import time

import pytest

from statsvc.storage import MetricNotFound, StorageUnavailable
from statsvc.storage.redis_driver import RedisDriver
from tests import redis_cluster as cluster_helpers
from tests import redis_helpers
from tests.unit.storage.helpers import (
    assert_series, new_metric, open_driver, seconds)


@pytest.fixture
def options(redis_cluster):
    """Options of a driver on the test cluster, under a prefix of its own."""
    prefix = redis_helpers.new_prefix()
    yield {"driver": "redis", "key_prefix": prefix, "chunk_seconds": "10",
           "url": cluster_helpers.URL.replace("redis:", "redis+cluster:"),
           "socket_timeout": "0.5", "socket_connect_timeout": "0.5"}
    cluster_helpers.delete_prefix(prefix)


@pytest.fixture
def driver(options):
    driver = open_driver(options)
    yield driver
    driver.close()


def metrics_on_every_shard(cluster, driver, count=30):
    """``{primary port: [metric ids]}`` of ``count`` new metrics."""
    by_shard = {}
    for _ in range(count):
        metric_id = new_metric(driver)
        by_shard.setdefault(cluster.primary_of(driver._meta_key(metric_id)),
                            []).append(metric_id)
    assert len(by_shard) == 3
    return by_shard


def test_a_metric_keys_share_a_slot_and_metrics_spread(redis_cluster, driver):
    by_shard = metrics_on_every_shard(redis_cluster, driver)
    metric_id = by_shard[min(by_shard)][0]
    driver.add_measures({metric_id: (seconds(1, 15, 25), [1.0, 2.0, 3.0])})
    client = driver._redis
    keys = list(client.scan_iter(match=f"{driver.prefix}*{metric_id}*"))
    # Document, meta, chunk index, and 3 chunks' data or tail.
    assert len(keys) == 6
    assert {client.keyslot(k) for k in keys} == {
        client.keyslot(driver._meta_key(metric_id))}
    # No key shared by every metric: each shard holds its metrics' docs.
    assert not client.exists(driver.prefix + "metrics")
    assert sorted(m["id"] for m in driver.list_metrics()) == sorted(
        m for ids in by_shard.values() for m in ids)


def test_documents_of_each_kind_list_across_shards(driver):
    kinds = [f"kind{i}" for i in range(12)]
    for kind in kinds:
        for name in ("a", "b"):
            driver.create_document(kind, name, {"name": name, "kind": kind})
    client = driver._redis
    assert len({client.get_node_from_key(driver._layout.doc_key(k)).port
                for k in kinds}) == 3
    for kind in kinds:
        assert sorted(d["name"] for d in driver.list_documents(kind)) == [
            "a", "b"]
        assert driver.find_documents(kind, "name", ["b"]) == [
            {"name": "b", "kind": kind}]


def test_batch_over_every_shard_is_checked_whole(redis_cluster, driver):
    by_shard = metrics_on_every_shard(redis_cluster, driver)
    ids = [m for ids in by_shard.values() for m in ids]
    with pytest.raises(MetricNotFound) as info:
        driver.add_measures({**{m: (seconds(5), [5.0]) for m in ids},
                             "missing": (seconds(5), [5.0])})
    assert info.value.metric_id == "missing"
    for metric_id in ids:
        assert_series(driver.get_measures(metric_id), [], [])
    driver.add_measures({m: (seconds(5, 6), [i, -i])
                         for i, m in enumerate(ids)})
    for i, metric_id in enumerate(ids):
        assert_series(driver.get_measures(metric_id), seconds(5, 6), [i, -i])


def test_a_shard_down_is_unavailable_for_its_metrics_only(
        redis_cluster, driver):
    by_shard = metrics_on_every_shard(redis_cluster, driver)
    for ids in by_shard.values():
        driver.add_measures({m: (seconds(1), [1.0]) for m in ids})
    down = max(by_shard)
    shard = redis_cluster.shard_of(down)
    redis_cluster.kill(shard)
    try:
        for wait in (0, 3):  # before and after the cluster marks it failed
            time.sleep(wait)
            for port, ids in by_shard.items():
                for metric_id in ids:
                    if port != down:
                        assert_series(driver.get_measures(
                            metric_id, stop=2 * 10**9), seconds(1), [1.0])
                        driver.add_measures({metric_id: (seconds(2), [2.0])})
                        continue
                    began = time.monotonic()
                    with pytest.raises(StorageUnavailable):
                        driver.get_measures(metric_id)
                    with pytest.raises(StorageUnavailable):
                        driver.add_measures({metric_id: (seconds(2), [2.0])})
                    assert time.monotonic() - began < 5
    finally:
        redis_cluster.restart(shard)


def test_resharding_during_writes_loses_no_acknowledged_point(
        redis_cluster, driver, options):
    ids = [new_metric(driver) for _ in range(200)]
    source, target = sorted(redis_cluster.primaries())[:2]
    before = {m: redis_cluster.primary_of(driver._meta_key(m)) for m in ids}
    acked, errors, stop = {}, [], threading.Event()

    def write(writer):
        # Writer w writes the seconds w + 2, w + 4... to every metric.
        own = open_driver(options)
        try:
            at = writer
            while not stop.is_set():
                at += 2
                own.add_measures({m: (seconds(at), [at]) for m in ids})
                acked[writer] = at
        except Exception as exc:  # noqa: BLE001 - failed by the test
            errors.append(exc)
        finally:
            own.close()

    def batches_after(marks, count):
        # Wait (bounded) until each writer acknowledged `count` more batches
        # than at `marks`: a slow host must still write across the reshard.
        deadline = time.monotonic() + 60
        while (not errors and time.monotonic() < deadline and any(
                acked.get(w, -1) < marks.get(w, w) + 2 * count
                for w in range(2))):
            time.sleep(0.01)

    writers = [threading.Thread(target=write, args=(w,)) for w in range(2)]
    for thread in writers:
        thread.start()
    try:
        batches_after({}, 1)
        subprocess.run(
            ["redis-cli", "--cluster", "reshard", f"127.0.0.1:{source}",
             "--cluster-from", redis_cluster.node_id(source),
             "--cluster-to", redis_cluster.node_id(target),
             "--cluster-slots", "2000", "--cluster-yes",
             # A key a MIGRATE: slots stay half moved longer (ASK, TRYAGAIN).
             "--cluster-pipeline", "1"],
            check=True, stdout=subprocess.DEVNULL, timeout=300)
        batches_after(dict(acked), 2)
    finally:
        stop.set()
        for thread in writers:
            thread.join(60)
    assert not errors
    redis_cluster.wait_ok()
    moved = [m for m in ids
             if before[m] != redis_cluster.primary_of(driver._meta_key(m))]
    assert len(moved) > 5
    assert all(acked.get(w, 0) > 4 for w in range(2))
    for metric_id in ids:
        ts, values = driver.get_measures(metric_id)
        stored = dict(zip((ts // 10**9).tolist(), values.tolist()))
        for writer, last in acked.items():
            for at in range(writer + 2, last + 1, 2):
                assert stored.get(at) == at, (metric_id, at)


def test_a_prefix_with_braces_is_refused():
    # Redis would hash the prefix's braces, putting every key in one slot.
    with pytest.raises(ValueError, match=r"cannot hold \{ or \}"):
        RedisDriver({"url": "redis+cluster://127.0.0.1:1",
                     "key_prefix": "statsvc{a}:"})


def test_metrics_deleted_during_batches_leave_no_key(driver, options):
    """A metric deleted while batches write to it: a batch either fails
    whole (it was gone when checked) or skips it, and nothing is written
    after its deletion (no key of it is left)."""
    ids = [new_metric(driver) for _ in range(20)]
    errors, stop = [], threading.Event()

    def write():
        # As a client would: drops from its batches a metric found gone.
        own, live = open_driver(options), list(ids)
        try:
            at = 0
            while live and not stop.is_set():
                at += 1
                try:
                    own.add_measures({m: (seconds(at), [at]) for m in live})
                except MetricNotFound as exc:
                    live.remove(exc.metric_id)
        except Exception as exc:  # noqa: BLE001 - failed by the test
            errors.append(exc)
        finally:
            own.close()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        for metric_id in ids:
            time.sleep(0.02)
            driver.delete_metric(metric_id)
    finally:
        stop.set()
        writer.join(60)
    assert not errors
    assert list(driver._redis.scan_iter(match=driver.prefix + "*")) == []
