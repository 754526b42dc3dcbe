import math
import statistics

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from statsvc import aggregation

TS = np.array([0, 1, 2, 10, 11, 25], dtype="int64")
VALUES = np.array([1.0, 2.0, 6.0, 4.0, 4.0, -1.0])


@pytest.mark.parametrize("method, expected", [
    ("mean", [3.0, 4.0, -1.0]),
    ("sum", [9.0, 8.0, -1.0]),
    ("min", [1.0, 4.0, -1.0]),
    ("max", [6.0, 4.0, -1.0]),
    ("count", [3.0, 2.0, 1.0]),
    ("first", [1.0, 4.0, -1.0]),
    ("last", [6.0, 4.0, -1.0]),
    ("median", [2.0, 4.0, -1.0]),
    ("p0", [1.0, 4.0, -1.0]),
    ("p100", [6.0, 4.0, -1.0]),
    ("p75", [4.0, 4.0, -1.0]),
])
def test_hand_made_series(method, expected):
    ts, values = aggregation.resample(TS, VALUES, 10, method)
    assert ts.tolist() == [0, 10, 20]
    assert values.tolist() == expected


def test_std_is_sample_std_and_nan_for_single_point():
    _, values = aggregation.resample(TS, VALUES, 10, "std")
    assert values[0] == pytest.approx(statistics.stdev([1, 2, 6]))
    assert values[1] == 0.0
    assert math.isnan(values[2])


def test_negative_timestamps_align_on_epoch_multiples():
    ts, _ = aggregation.resample(np.array([-15, -5], dtype="int64"),
                                 np.array([1.0, 2.0]), 10, "mean")
    assert ts.tolist() == [-20, -10]


def test_empty_series():
    ts, values = aggregation.resample(np.array([], dtype="int64"),
                                      np.array([]), 10, "mean")
    assert ts.size == 0 and values.size == 0


@pytest.mark.parametrize("method", ["avg", "p101", "p", "p-1", "rate:avg",
                                    "rate:", "rate:rate:mean"])
def test_unknown_methods_are_rejected(method):
    assert not aggregation.is_valid(method)
    with pytest.raises(aggregation.UnknownAggregation):
        aggregation.resample(TS, VALUES, 10, method)


def _reference(ts, values, granularity, method):
    groups = {}
    for t, v in zip(ts, values):
        groups.setdefault(t - t % granularity, []).append(v)
    out = []
    for key in sorted(groups):
        g = groups[key]
        if method == "mean":
            out.append(sum(g) / len(g))
        elif method == "median":
            out.append(statistics.median(g))
        elif method == "p90":
            out.append(float(np.percentile(g, 90)))
        elif method == "std":
            out.append(statistics.stdev(g) if len(g) > 1 else math.nan)
    return sorted(groups), out


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(-1000, 1000),
                          st.floats(-1e6, 1e6)), max_size=60),
       st.integers(1, 50), st.sampled_from(["mean", "median", "p90", "std"]),
       st.booleans())
def test_matches_reference(points, granularity, method, rate):
    """``rate:X`` is X of the differences between consecutive points, each
    stamped with the later one (Gnocchi's metric-derived)."""
    points = sorted(dict(points).items())
    ts = np.array([p[0] for p in points], dtype="int64")
    values = np.array([p[1] for p in points], dtype="float64")
    got_ts, got = aggregation.resample(ts, values, granularity,
                                       "rate:" + method if rate else method)
    if rate:
        ts, values = ts[1:], np.diff(values)
    want_ts, want = _reference(ts.tolist(), values.tolist(), granularity,
                               method)
    assert got_ts.tolist() == want_ts
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-6)


def _days(*dates):
    return np.array(dates, dtype="datetime64[ns]").astype("int64")


@pytest.mark.parametrize("unit, starts, sums", [
    ("Y", ["1969-01-01", "2015-01-01", "2016-01-01"], [1.0, 6.0, 8.0]),
    ("H", ["1969-07-01", "2015-01-01", "2015-07-01", "2016-01-01"],
     [1.0, 2.0, 4.0, 8.0]),
    ("Q", ["1969-10-01", "2015-01-01", "2015-10-01", "2016-01-01"],
     [1.0, 2.0, 4.0, 8.0]),
    ("M", ["1969-12-01", "2015-03-01", "2015-10-01", "2016-01-01"],
     [1.0, 2.0, 4.0, 8.0]),
    # Weeks start on Sunday: 2015-03-01 and 1969-12-28 were Sundays.
    ("W", ["1969-12-28", "2015-03-01", "2015-10-04", "2016-01-03"],
     [1.0, 2.0, 4.0, 8.0]),
])
def test_calendar_buckets_start_on_their_first_day(unit, starts, sums):
    ts = _days("1969-12-31T23:59", "2015-03-01T14:34", "2015-10-06",
               "2016-01-06T14:34")
    buckets, values = aggregation.resample_calendar(
        ts, np.array([1.0, 2.0, 4.0, 8.0]), unit, "sum")
    assert buckets.tolist() == _days(*starts).tolist()
    assert values.tolist() == sums
