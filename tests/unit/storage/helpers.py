"""Helpers shared by the storage tests."""
import multiprocessing
import uuid
from importlib import metadata

import numpy as np

#: Small chunks so that short test series span many of them.
CHUNK_SECONDS = 10
CHUNK_NS = CHUNK_SECONDS * 10**9
DRIVER_NAMES = sorted(
    ep.name for ep in metadata.entry_points(group="statsvc.storage"))
#: The stores the suite runs on: each driver, and redis behind Sentinel and
#: on a Redis Cluster.
STORE_NAMES = DRIVER_NAMES + (["redis-sentinel", "redis-cluster"]
                              if "redis" in DRIVER_NAMES else [])


def open_driver(options):
    """Instantiate the driver named by ``options["driver"]``."""
    (entry_point,) = metadata.entry_points(group="statsvc.storage",
                                           name=options["driver"])
    return entry_point.load()(options)


def new_metric(driver, timespan_ns=None, **doc):
    """Create a metric with a random id; return the id."""
    metric = {"id": str(uuid.uuid4()), **doc}
    if timespan_ns is not None:
        metric["timespan_ns"] = timespan_ns
    driver.create_metric(metric)
    return metric["id"]


def stored_chunks(driver, metric_id):
    """Return the chunk indices physically stored for a metric."""
    if driver.name == "sqlite":
        rows = driver._conn().execute(
            "SELECT DISTINCT chunk FROM fragment JOIN metric ON metric = key"
            " WHERE id = ?", (metric_id,)).fetchall()
        return sorted(chunk for chunk, in rows)
    return sorted(int(c) for c in driver._redis.hkeys(
        driver._chunks_key(metric_id)))


def corrupt_chunk(driver, metric_id, chunk):
    """Overwrite a stored chunk with bytes that cannot be decoded."""
    if driver.name == "sqlite":
        conn = driver._conn()
        conn.execute(
            "UPDATE fragment SET data = x'0102' WHERE chunk = ? AND metric ="
            " (SELECT key FROM metric WHERE id = ?)", (chunk, metric_id))
    else:
        driver._redis.set(driver._data_key(metric_id, chunk), b"\x01\x02")


def seconds(*values):
    """Timestamps in ns for the given seconds since the epoch."""
    return np.array(values, dtype=np.int64) * 10**9


def assert_series(actual, timestamps, values):
    """Assert ``actual`` is the ``(timestamps, values)`` pair given."""
    ts, vals = actual
    assert ts.dtype == np.int64 and vals.dtype == np.float64
    np.testing.assert_array_equal(ts, np.asarray(timestamps, dtype=np.int64))
    np.testing.assert_array_equal(vals, np.asarray(values, dtype=np.float64))


def run_writers(target, args, count):
    """Run ``target(*args, writer, barrier)`` in ``count`` forked processes
    (as uwsgi forks workers) that start together; return their exit codes."""
    fork = multiprocessing.get_context("fork")
    barrier = fork.Barrier(count)
    writers = [fork.Process(target=target, args=(*args, w, barrier))
               for w in range(count)]
    for process in writers:
        process.start()
    for process in writers:
        process.join(60)
    return [p.exitcode for p in writers]
