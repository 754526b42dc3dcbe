"""The PromQL-style range statistics against the slow reference."""
import datetime
import itertools

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

from statsvc_plugins.regression import _regression
from tests.unit.statistics import reference
from tests.unit.statistics.test_durations import WINDOWS
from tests.unit.statistics.test_properties import (
    SETTINGS, check, scale, series)

REFERENCES = {
    "count-over-time": len,
    "changes": reference.changes,
    "resets": reference.resets,
    "stdvar-over-time": reference.stdvar,
    "irate": reference.irate,
}
FEWEST = {"stdvar-over-time": 2, "irate": 2}
# Either kind of window: a count, or a duration.
ANY_WINDOW = st.one_of(st.integers(1, 12), WINDOWS)


def as_reference(window):
    if isinstance(window, datetime.timedelta):
        return ("ns", window // datetime.timedelta(microseconds=1) * 1000)
    return window


@pytest.mark.parametrize("name", sorted(REFERENCES))
@SETTINGS
@given(data=series(), window=ANY_WINDOW, min_points=st.integers(1, 5))
def test_range_statistics(plugin, name, data, window, min_points):
    timestamps, values = data
    fewest = FEWEST.get(name, 1)
    query = {"window": window}
    if isinstance(window, datetime.timedelta):
        query["min_points"] = min_points = max(min_points, fewest)
    else:
        query["window"] = window = max(window, fewest)
        min_points = 1
    out = plugin(name).run(timestamps, values, **query)
    expected = reference.over_windows(REFERENCES[name], timestamps, values,
                                      as_reference(window), min_points)
    check(out, expected, atol=1e-12 * scale(values) ** 2 * len(values))


@SETTINGS
@given(data=series(), window=WINDOWS, min_points=st.integers(2, 5))
def test_increase(plugin, data, window, min_points):
    timestamps, values = data
    out = plugin("increase").run(timestamps, values, window=window,
                                 min_points=min_points)
    window_ns = as_reference(window)
    expected = reference.over_windows(reference.increase(window_ns[1]),
                                      timestamps, values, window_ns,
                                      min_points)
    # The resets' values are summed along the series, then differenced.
    check(out, expected, atol=1e-12 * scale(values) * len(values))


@st.composite
def counters(draw):
    """A counter scraped about every 10 s (jitter up to 2 s): increments
    of 0 to 100, sometimes a reset to a small value, sometimes a gap."""
    steps = draw(st.lists(st.integers(8 * 10 ** 9, 12 * 10 ** 9),
                          min_size=2, max_size=30))
    values, total = [], draw(st.integers(0, 50))
    for _ in steps:
        if draw(st.integers(0, 9)) == 0:
            total = draw(st.integers(0, 5))
        else:
            total += draw(st.integers(0, 100))
        values.append(float(total))
    gaps = draw(st.lists(st.integers(0, len(values) - 1), max_size=3))
    for i in gaps:
        values[i] = float("nan")
    return [int(t) for t in itertools.accumulate(steps)], values


@SETTINGS
@given(data=counters(), seconds=st.integers(15, 90),
       min_points=st.integers(2, 4))
def test_increase_of_scraped_counters(plugin, data, seconds, min_points):
    # Steps near the window's edges: both sides of the 1.1-step threshold.
    timestamps, values = data
    out = plugin("increase").run(timestamps, values, window=f"{seconds}s",
                                 min_points=min_points)
    expected = reference.over_windows(
        reference.increase(seconds * 10 ** 9), timestamps, values,
        ("ns", seconds * 10 ** 9), min_points)
    check(out, expected, atol=1e-9)


def test_increase_of_a_counter_that_resets():
    # 10 s steps: 0 10 20 | reset | 5 15, a 60 s window at each point.
    from statsvc_plugins.counters import Increase
    out = Increase().run([i * 10 ** 10 for i in range(5)],
                         [0.0, 10.0, 20.0, 5.0, 15.0], window="60s")
    # At 40 s: 20 before the reset, then 15 from 0 = 35 over 40 s of
    # samples, extrapolated to the counter's zero at 0 s: no more.
    assert out.values[-1] == pytest.approx(35.0)


@pytest.mark.parametrize("name", ["deriv", "predict-linear"])
@SETTINGS
@given(data=series(), window=ANY_WINDOW, min_points=st.integers(2, 5),
       horizon=st.integers(-3600, 3600))
def test_lines(plugin, name, data, window, min_points, horizon):
    timestamps, values = data
    query = {"window": window}
    if isinstance(window, datetime.timedelta):
        query["min_points"] = min_points
    else:
        query["window"] = window = max(window, 2)
        min_points = 1
    if name == "predict-linear":
        query["horizon"] = horizon
    out = plugin(name).run(timestamps, values, **query)
    expected = reference.over_windows(
        reference.line(horizon if name == "predict-linear" else None),
        timestamps, values, as_reference(window), max(min_points, 2))
    # Two-pass from exact time differences: rounding only, relative to the
    # window's values over its time span.
    assert out.timestamps.tolist() == expected[0]
    assert out.values == pytest.approx(expected[1], rel=1e-9,
                                       abs=1e-9 * scale(values))


# test_properties' values without the gaps (a gap is no point to a fit).
FINITE = st.one_of(st.integers(-10 ** 6, 10 ** 6).map(float),
                   st.integers(-1000, 1000).map(lambda i: i / 8),
                   st.sampled_from([0.0, 0.1, 1.0, 1e6, -2.5]))


@pytest.mark.parametrize("name", ["deriv", "predict-linear"])
@settings(SETTINGS, max_examples=20)
@given(data=st.integers(100, 150).flatmap(
    lambda size: st.tuples(
        st.lists(FINITE, min_size=size, max_size=size),
        st.lists(st.integers(1, 10 ** 12), min_size=size, max_size=size))),
       window=st.one_of(st.integers(33, 60), st.integers(70, 90).map(
           lambda steps: datetime.timedelta(seconds=steps * 500))),
       horizon=st.integers(-3600, 3600))
def test_long_windows_slide_exactly(plugin, name, data, window, horizon):
    # Windows of more than 32 points on average slide (integer time sums,
    # double-double value sums): as exact as the two-pass fit.  Duration
    # windows of 70-90 mean steps of the series (steps average 500 s).
    values, steps = data
    timestamps = list(itertools.accumulate(steps))
    query = {"window": window, **({"horizon": horizon}
                                  if name == "predict-linear" else {})}
    out = plugin(name).run(timestamps, values, **query)
    found = reference.windows(timestamps, values, as_reference(window), 2)
    assume(sum(len(points) for _, points in found) > 32 * len(found))
    line = reference.line(horizon if name == "predict-linear" else None)
    assert out.timestamps.tolist() == [t for t, _ in found]
    assert out.values == pytest.approx([line(points) for _, points in found],
                                       rel=1e-9, abs=1e-9 * scale(values))


def test_a_long_window_over_many_points_slides_within_the_work_bound(
        plugin):
    # 300,000 windows of 10,000 points: 3e9 points two-pass, more than the
    # bound; slid, 600,000 points in and out.
    n = 310_000
    stamps = [i * 10 ** 9 for i in range(n)]
    values = [0.5 * i for i in range(n)]
    out = plugin("deriv").run(stamps, values, window=10_000)
    assert len(out.values) == n - 10_000 + 1
    assert out.values == pytest.approx(0.5, rel=1e-12)


@pytest.mark.parametrize("huge, budget, done", [
    (False, 2_000, True),     # slides: 2 x 1,000 points in and out
    (False, 1_000, False),
    (True, 10 ** 5, False),   # 1e300 cannot slide: 900 windows two-pass
    (True, 10 ** 6, True),
])
def test_the_kernel_stops_past_its_budget(huge, budget, done):
    t = np.arange(1000, dtype=np.int64) * 10 ** 9
    x = np.arange(1000.0) * (1e300 if huge else 1.0)
    first = np.arange(900, dtype=np.int64)
    last = first + 100
    out = np.full(900, np.nan)
    assert _regression.fit_lines(t, x, first, last, float("nan"), budget,
                                 out) is done
    if done:
        assert out == pytest.approx(1e300 if huge else 1.0, rel=1e-12)
