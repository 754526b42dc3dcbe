"""Archives rolled up at write time, on every driver: each archive equals
the policy's aggregates of every point written (recomputed here with
:func:`statsvc.aggregation.resample`), whatever the order and batching of
the writes; too-old points are ignored; raw points do not outlive what the
archives need."""
import uuid

import numpy as np
from statsvc import aggregation
from statsvc.storage import rollup

S = 10**9
METHODS = ["count", "first", "last", "max", "mean", "median", "min", "p95",
           "std", "sum"]
# 1 s kept 300 buckets, 10 s 100, 60 s 50: the 1 s archive drops buckets.
SPEC = {"granularities": [[S, 300], [10 * S, 100], [60 * S, 50]],
        "methods": METHODS, "back_window": 1}
T0 = 1_700_000_040 * S  # a whole minute


def new_rolled_metric(driver, spec=SPEC):
    metric_id = str(uuid.uuid4())
    driver.create_metric({"id": metric_id, "rollup": spec})
    return metric_id


def expected(ts, values, grain, points, method):
    """The archive from every point: buckets, the ``points`` newest."""
    order = np.argsort(ts, kind="stable")
    ts, values = ts[order], values[order]
    keep = np.r_[ts[1:] != ts[:-1], True]  # last write wins
    bt, bv = aggregation.resample(ts[keep], values[keep], grain, method)
    newest = ts.max()
    oldest = newest - newest % grain - (points - 1) * grain
    return bt[bt >= oldest], bv[bt >= oldest]


def assert_archives(driver, metric_id, ts, values):
    for grain, points in SPEC["granularities"]:
        for method in METHODS:
            got = driver.get_archive(metric_id, grain, method)
            want = expected(ts, values, grain, points, method)
            np.testing.assert_array_equal(got[0], want[0])
            np.testing.assert_allclose(got[1], want[1], rtol=1e-12,
                                       equal_nan=True)


def test_archives_are_exact_whatever_the_batching(driver):
    rng = np.random.default_rng(7)
    metric_id = new_rolled_metric(driver)
    # 20 minutes at 1 Hz with gaps, written in shuffled batches of random
    # sizes, each batch within the back window of what came before.
    ts = T0 + np.sort(rng.choice(1200, 900, replace=False)) * S
    values = rng.normal(50, 10, len(ts)).round(1)
    at = 0
    while at < len(ts):
        n = int(rng.integers(1, 120))
        part = slice(at, at + n)
        shuffled = rng.permutation(n if at + n <= len(ts) else len(ts) - at)
        driver.add_measures({metric_id: (ts[part][shuffled],
                                         values[part][shuffled])})
        at += n
        assert_archives(driver, metric_id, ts[:at], values[:at])
    # A late point inside the back window replaces a value.
    late_t = np.array([ts[-1] - 60 * S - (ts[-1] % (60 * S)) + 5 * S])
    driver.add_measures({metric_id: (late_t, np.array([1e6]))})
    all_ts, all_values = np.r_[ts, late_t], np.r_[values, 1e6]
    assert_archives(driver, metric_id, all_ts, all_values)


def test_too_old_points_are_ignored(driver):
    metric_id = new_rolled_metric(driver)
    driver.add_measures({metric_id: (np.array([T0 + 600 * S]),
                                     np.array([1.0]))})
    # back_window 1: the minute before the newest one may still change.
    cutoff = T0 + 540 * S
    driver.add_measures({metric_id: (np.array([cutoff - S, cutoff]),
                                     np.array([2.0, 3.0]))})
    ts, values = driver.get_archive(metric_id, 60 * S, "sum")
    assert ts.tolist() == [cutoff, T0 + 600 * S]
    assert values.tolist() == [3.0, 1.0]
    assert driver.get_measures(metric_id)[0].tolist() == [cutoff,
                                                          T0 + 600 * S]


def test_raw_points_are_dropped_once_final(driver):
    metric_id = new_rolled_metric(driver)
    ts = T0 + np.arange(0, 3600, 5) * S
    driver.add_measures({metric_id: (ts, np.ones(len(ts)))})
    kept = driver.get_measures(metric_id)[0]
    newest = int(ts[-1])
    assert kept[0] == rollup.Rollup(SPEC).cutoff(newest)
    assert kept[0] >= newest - 120 * S
    # Archives still answer for the whole hour at 10 s (100 buckets kept).
    assert len(driver.get_archive(metric_id, 10 * S, "count")[0]) == 100


def test_range_and_unknown_archive(driver):
    metric_id = new_rolled_metric(driver)
    ts = T0 + np.arange(0, 600, 1) * S
    driver.add_measures({metric_id: (ts, np.arange(len(ts), dtype=float))})
    got, values = driver.get_archive(metric_id, 60 * S, "max",
                                     T0 + 120 * S, T0 + 300 * S)
    assert got.tolist() == [T0 + 120 * S, T0 + 180 * S, T0 + 240 * S]
    assert values.tolist() == [179.0, 239.0, 299.0]
    assert len(driver.get_archive(metric_id, 7 * S, "max")[0]) == 0
    assert len(driver.get_archive(metric_id, 60 * S, "p99")[0]) == 0


def test_upgrade_of_a_raw_metric(driver):
    """A metric stored raw (by a version before rollups) gets archives
    from all its points, then rolls up as the others."""
    metric_id = str(uuid.uuid4())
    driver.create_metric({"id": metric_id, "timespan_ns": 3000 * S})
    ts = T0 + np.arange(0, 1200, 2) * S
    values = np.sin(np.arange(len(ts)))
    driver.add_measures({metric_id: (ts, values)})
    driver.set_rollup(metric_id, SPEC)
    assert driver.get_metric(metric_id)["rollup"] == SPEC
    assert_archives(driver, metric_id, ts, values)
    more = T0 + np.arange(1200, 1300) * S
    driver.add_measures({metric_id: (more, np.ones(len(more)))})
    assert_archives(driver, metric_id, np.r_[ts, more],
                    np.r_[values, np.ones(len(more))])


def test_archive_chunks_are_compressed_once_complete(driver):
    metric_id = new_rolled_metric(
        driver, dict(SPEC, granularities=[[S, None]]))
    n = 3 * rollup.CHUNK_BUCKETS
    ts = T0 + np.arange(n) * S
    for part in np.array_split(np.arange(n), 30):
        driver.add_measures({metric_id: (ts[part], np.round(
            np.cos(part / 50.0), 1))})
    stored = stored_archive_bytes(driver, metric_id)
    # The two complete chunks compress to a fraction of 16 B per bucket.
    assert stored < 0.5 * n * 16 * len(METHODS)
    assert len(driver.get_archive(metric_id, S, "mean")[0]) == n


def stored_archive_bytes(driver, metric_id):
    if driver.name == "sqlite":
        with driver._read() as conn:
            return conn.execute(
                "SELECT sum(length(data)) FROM archive JOIN metric"
                " ON archive.metric = metric.key WHERE id = ?",
                (metric_id,)).fetchone()[0]
    return sum(len(v) for v in driver._redis.hvals(
        driver._archive_key(metric_id, S)))


def test_delete_removes_archives(driver):
    metric_id = new_rolled_metric(driver)
    driver.add_measures({metric_id: (np.array([T0]), np.array([1.0]))})
    driver.delete_metric(metric_id)
    if driver.name == "sqlite":
        with driver._read() as conn:
            assert conn.execute("SELECT count(*) FROM archive").fetchone() \
                == (0,)
    else:
        assert not driver._redis.exists(driver._archive_key(metric_id, S))



def test_fewer_points_drop_buckets_for_good(driver):
    metric_id = new_rolled_metric(driver)
    ts = T0 + np.arange(0, 600) * S
    driver.add_measures({metric_id: (ts, np.ones(len(ts)))})
    assert len(driver.get_archive(metric_id, S, "count")[0]) == 300
    fewer = dict(SPEC, granularities=[[S, 10], [10 * S, 100], [60 * S, 50]])
    driver.set_rollup(metric_id, fewer)
    assert len(driver.get_archive(metric_id, S, "count")[0]) == 10
    driver.set_rollup(metric_id, SPEC)
    got = driver.get_archive(metric_id, S, "count")[0]
    assert got.tolist() == ts[-10:].tolist()
    assert len(driver.get_archive(metric_id, 10 * S, "count")[0]) == 60
