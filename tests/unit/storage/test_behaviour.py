"""Behaviour every storage driver shares, run against each installed one."""
import numpy as np
import pytest

from statsvc.storage import MetricAlreadyExists, MetricNotFound
from tests.unit.storage.helpers import (
    CHUNK_NS, assert_series, corrupt_chunk, new_metric, seconds,
    stored_chunks)


def test_create_get_list_delete(driver):
    doc = {"id": "5d7c1a36-7ad8-4b4f-8a4c-2f4f0d8e9a11", "name": "cpu",
           "unit": "%", "archive_policy_name": None,
           "resource_id": "r1", "tags": {"a": [1, 2.5]}}
    assert driver.create_metric(doc) == doc
    other = new_metric(driver, name="mem")
    assert driver.get_metric(doc["id"]) == doc
    assert sorted(m["id"] for m in driver.list_metrics()) == sorted(
        [doc["id"], other])
    driver.delete_metric(doc["id"])
    with pytest.raises(MetricNotFound):
        driver.get_metric(doc["id"])
    assert [m["id"] for m in driver.list_metrics()] == [other]


def test_create_existing_id_is_refused(driver):
    metric_id = new_metric(driver, name="a")
    with pytest.raises(MetricAlreadyExists):
        driver.create_metric({"id": metric_id, "name": "b"})
    assert driver.get_metric(metric_id)["name"] == "a"


def test_missing_metric_raises_everywhere(driver):
    with pytest.raises(MetricNotFound):
        driver.get_metric("nope")
    with pytest.raises(MetricNotFound):
        driver.delete_metric("nope")
    with pytest.raises(MetricNotFound):
        driver.get_measures("nope")
    with pytest.raises(MetricNotFound) as info:
        driver.add_measures({"nope": (seconds(1), [1.0])})
    assert info.value.metric_id == "nope"


def test_delete_removes_measures(driver):
    metric_id = new_metric(driver)
    driver.add_measures({metric_id: (seconds(1, 25, 47), [1.0, 2.0, 3.0])})
    driver.delete_metric(metric_id)
    assert stored_chunks(driver, metric_id) == []
    driver.create_metric({"id": metric_id})
    assert_series(driver.get_measures(metric_id), [], [])


def test_add_and_read_back(driver):
    metric_id = new_metric(driver)
    assert_series(driver.get_measures(metric_id), [], [])
    driver.add_measures({metric_id: (seconds(1, 2, 3), [1.5, -2.0, 3.25])})
    driver.add_measures({metric_id: (seconds(4), [4.0])})
    assert_series(driver.get_measures(metric_id),
                  seconds(1, 2, 3, 4), [1.5, -2.0, 3.25, 4.0])


def test_reads_its_writes_from_a_second_driver(make_driver):
    writer, reader = make_driver(), make_driver()
    metric_id = new_metric(writer)
    writer.add_measures({metric_id: (seconds(7), [7.0])})
    assert_series(reader.get_measures(metric_id), seconds(7), [7.0])


def test_empty_batch_and_empty_arrays(driver):
    metric_id = new_metric(driver)
    driver.add_measures({})
    driver.add_measures({metric_id: (np.array([], np.int64), np.array([]))})
    assert_series(driver.get_measures(metric_id), [], [])


@pytest.mark.parametrize("start, stop", [
    (None, None),
    (10, 20),           # exactly one chunk
    (9, 21),            # one point either side of it
    (10, 10),           # empty range on a boundary
    (0, 10), (20, None), (None, 20),
    (19, 20), (20, 21),
    (-100, 1000), (1000, 2000),
])
def test_range_queries_at_chunk_boundaries(driver, start, stop):
    assert CHUNK_NS == 10 * 10**9
    metric_id = new_metric(driver)
    ts = seconds(*range(0, 40))
    values = np.arange(40, dtype=float)
    driver.add_measures({metric_id: (ts, values)})
    start_ns = None if start is None else start * 10**9
    stop_ns = None if stop is None else stop * 10**9
    keep = ((ts >= (start_ns if start is not None else ts.min()))
            & (ts < (stop_ns if stop is not None else ts.max() + 1)))
    assert_series(driver.get_measures(metric_id, start_ns, stop_ns),
                  ts[keep], values[keep])


def test_reads_touch_only_the_chunks_overlapping_the_range(driver):
    metric_id = new_metric(driver)
    driver.add_measures({metric_id: (seconds(*range(0, 40)),
                                     np.arange(40.0))})
    corrupt_chunk(driver, metric_id, 0)
    corrupt_chunk(driver, metric_id, 3)
    assert_series(driver.get_measures(metric_id, 10 * 10**9, 30 * 10**9),
                  seconds(*range(10, 30)), np.arange(10.0, 30.0))
    with pytest.raises(ValueError):
        driver.get_measures(metric_id, 25 * 10**9, 31 * 10**9)


def test_nanosecond_bounds_are_exact(driver):
    metric_id = new_metric(driver)
    base = 1_700_000_000 * 10**9
    ts = base + np.array([0, 1, 2, 999_999_999], dtype=np.int64)
    driver.add_measures({metric_id: (ts, [0.0, 1.0, 2.0, 3.0])})
    assert_series(driver.get_measures(metric_id, base + 1, base + 2),
                  [base + 1], [1.0])


def test_last_write_wins_across_batches(driver):
    metric_id = new_metric(driver)
    driver.add_measures({metric_id: (seconds(1, 2, 3), [1.0, 2.0, 3.0])})
    driver.add_measures({metric_id: (seconds(2, 3, 4), [20.0, 30.0, 40.0])})
    driver.add_measures({metric_id: (seconds(3), [300.0])})
    assert_series(driver.get_measures(metric_id),
                  seconds(1, 2, 3, 4), [1.0, 20.0, 300.0, 40.0])


def test_duplicates_within_a_batch_last_occurrence_wins(driver):
    metric_id = new_metric(driver)
    driver.add_measures({metric_id: (seconds(5, 1, 5, 3, 1, 5),
                                     [1.0, 2.0, 3.0, 4.0, 5.0, 6.0])})
    assert_series(driver.get_measures(metric_id),
                  seconds(1, 3, 5), [5.0, 4.0, 6.0])


def test_out_of_order_points_are_stored_in_order(driver):
    metric_id = new_metric(driver)
    driver.add_measures({metric_id: (seconds(30, 31, 32), [30.0, 31.0, 32.0])})
    driver.add_measures({metric_id: (seconds(5, 35, 1), [5.0, 35.0, 1.0])})
    driver.add_measures({metric_id: (seconds(33, 2),
                                     [33.0, 2.0])})
    assert_series(driver.get_measures(metric_id),
                  seconds(1, 2, 5, 30, 31, 32, 33, 35),
                  [1.0, 2.0, 5.0, 30.0, 31.0, 32.0, 33.0, 35.0])


def test_batch_with_a_missing_metric_writes_nothing(driver):
    first, second = new_metric(driver), new_metric(driver)
    driver.add_measures({first: (seconds(1), [1.0])})
    with pytest.raises(MetricNotFound):
        driver.add_measures({first: (seconds(1, 2), [10.0, 2.0]),
                             "missing": (seconds(1), [1.0]),
                             second: (seconds(3), [3.0])})
    assert_series(driver.get_measures(first), seconds(1), [1.0])
    assert_series(driver.get_measures(second), [], [])


def test_batch_over_several_metrics(driver):
    ids = [new_metric(driver) for _ in range(5)]
    driver.add_measures({metric_id: (seconds(i, 100 + i), [i, -i])
                         for i, metric_id in enumerate(ids)})
    for i, metric_id in enumerate(ids):
        assert_series(driver.get_measures(metric_id),
                      seconds(i, 100 + i), [i, -i])


def test_retention_drops_points_older_than_the_timespan(driver):
    metric_id = new_metric(driver, timespan_ns=25 * 10**9)
    driver.add_measures({metric_id: (seconds(*range(0, 30)),
                                     np.arange(30.0))})
    # Newest is 29 s: points before 4 s are gone.
    assert_series(driver.get_measures(metric_id),
                  seconds(*range(4, 30)), np.arange(4.0, 30.0))
    driver.add_measures({metric_id: (seconds(60), [60.0])})
    assert_series(driver.get_measures(metric_id),
                  seconds(60), [60.0])
    # Whole chunks before the cutoff are deleted, not only hidden.
    assert stored_chunks(driver, metric_id) == [6]
    # A late point older than the cutoff is dropped; a newer one is kept.
    driver.add_measures({metric_id: (seconds(20, 40), [20.0, 40.0])})
    driver.add_measures({metric_id: (seconds(1), [1.0])})
    assert_series(driver.get_measures(metric_id, None, None),
                  seconds(40, 60), [40.0, 60.0])


def test_retention_trims_the_straddling_chunk(driver):
    metric_id = new_metric(driver, timespan_ns=14 * 10**9)
    driver.add_measures({metric_id: (seconds(*range(0, 20)),
                                     np.arange(20.0))})
    # Cutoff 5 s: chunk 0 keeps 5..9.
    assert_series(driver.get_measures(metric_id, 0, 10 * 10**9),
                  seconds(*range(5, 10)), np.arange(5.0, 10.0))
    driver.add_measures({metric_id: (seconds(24), [24.0])})
    assert stored_chunks(driver, metric_id) == [1, 2]
    assert_series(driver.get_measures(metric_id),
                  seconds(*range(10, 20), 24), [*np.arange(10.0, 20.0), 24])


def test_large_series_across_many_chunks(driver):
    metric_id = new_metric(driver)
    n, step = 200_000, 10**7          # 100 s at 100 Hz: 1,000 per chunk
    ts = 1_600_000_000 * 10**9 + np.arange(n, dtype=np.int64) * step
    values = np.random.default_rng(1).normal(size=n)
    for lo in range(0, n, 20_000):
        driver.add_measures({metric_id: (ts[lo:lo + 20_000],
                                         values[lo:lo + 20_000])})
    assert_series(driver.get_measures(metric_id), ts, values)
    start, stop = ts[12_345], ts[187_654]
    assert_series(driver.get_measures(metric_id, int(start), int(stop)),
                  ts[12_345:187_654], values[12_345:187_654])
    assert len(stored_chunks(driver, metric_id)) == 200


def test_random_writes_match_a_reference_model(driver):
    """Appends, overwrites, late points and duplicates, compared to a dict."""
    rng = np.random.default_rng(7)
    metric_id = new_metric(driver)
    model = {}
    for round_ in range(60):
        if round_ % 3:
            # Mostly appends just after the newest point, in small batches.
            newest = max(model, default=0)
            ts = newest + rng.integers(1, 3 * 10**9, size=rng.integers(1, 50))
        else:
            ts = rng.integers(0, 120 * 10**9, size=rng.integers(1, 300))
        values = rng.normal(size=len(ts))
        driver.add_measures({metric_id: (ts, values)})
        model.update(zip(ts.tolist(), values.tolist()))
    expected = sorted(model.items())
    assert_series(driver.get_measures(metric_id),
                  [t for t, _ in expected], [v for _, v in expected])
    start, stop = 33 * 10**9, 77 * 10**9
    inside = [(t, v) for t, v in expected if start <= t < stop]
    assert_series(driver.get_measures(metric_id, start, stop),
                  [t for t, _ in inside], [v for _, v in inside])


def test_random_writes_with_retention_match_a_reference_model(driver):
    rng = np.random.default_rng(11)
    timespan = 35 * 10**9
    metric_id = new_metric(driver, timespan_ns=timespan)
    model, newest = {}, None
    for _ in range(80):
        base = max(model, default=0)
        ts = base + rng.integers(-40 * 10**9, 4 * 10**9,
                                 size=rng.integers(1, 40))
        values = rng.normal(size=len(ts))
        driver.add_measures({metric_id: (ts, values)})
        newest = max(int(ts.max()), newest or int(ts.max()))
        model.update(zip(ts.tolist(), values.tolist()))
        model = {t: v for t, v in model.items() if t >= newest - timespan}
        expected = sorted(model.items())
        assert_series(driver.get_measures(metric_id),
                      [t for t, _ in expected], [v for _, v in expected])
    # Whole chunks wholly before the cutoff are gone from the store.
    assert min(stored_chunks(driver, metric_id)) >= (
        newest - timespan) // CHUNK_NS


def test_check_passes_when_reachable(driver):
    driver.check()
