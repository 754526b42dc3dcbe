"""Duration windows against pandas' time-based rolling, on irregular series."""
import datetime
import fractions
import math
import statistics

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, strategies as st

from statsvc.statistics import ParameterError
from tests.unit.statistics import reference
from tests.unit.statistics.test_properties import (
    SETTINGS, SPIKES_THEN_CALM, check_zscore, scale, series)

# name -> the pandas reference, from Series.rolling(window, min_periods)
PANDAS = {
    "moving-average": lambda r: r.mean(),
    "moving-sum": lambda r: r.sum(),
    "moving-median": lambda r: r.median(),
    "moving-min": lambda r: r.min(),
    "moving-max": lambda r: r.max(),
    "moving-std": lambda r: r.std(),
}
# Windows from 1 µs to about 3 of the series' largest steps (1000 s).
WINDOWS = st.integers(1, 3 * 10 ** 9).map(
    lambda us: datetime.timedelta(microseconds=us))


def rolling(timestamps, values, window, min_points):
    s = pd.Series(values, index=pd.DatetimeIndex(np.asarray(timestamps,
                                                            np.int64)),
                  dtype=float)
    return s, s.rolling(window, min_periods=min_points)


def expected(timestamps, values, reference):
    """pandas' results at the valid points where it gives one."""
    keep = np.isfinite(values) & reference.notna().to_numpy()
    return np.asarray(timestamps, np.int64)[keep], reference.to_numpy()[keep]


def check(out, want, values):
    assert out.timestamps.tolist() == want[0].tolist()
    assert out.values == pytest.approx(
        want[1], rel=1e-9, abs=1e-12 * scale(values) * max(1, len(values)))


@pytest.mark.parametrize("name", sorted(PANDAS))
@SETTINGS
@given(data=series(), window=WINDOWS, min_points=st.integers(1, 5))
def test_moving_statistics_agree_with_pandas(plugin, name, data, window,
                                             min_points):
    timestamps, values = data
    if name == "moving-std":
        min_points = max(min_points, 2)
    out = plugin(name).run(timestamps, values, window=window,
                           min_points=min_points)
    _, r = rolling(timestamps, values, window, min_points)
    check(out, expected(timestamps, values, PANDAS[name](r)), values)


@SETTINGS
@given(data=series(), window=WINDOWS, min_points=st.integers(1, 5),
       q=st.one_of(st.sampled_from([0.0, 12.5, 50.0, 100.0]),
                   st.floats(0, 100)))
def test_percentile_agrees_with_pandas(plugin, data, window, min_points, q):
    timestamps, values = data
    out = plugin("percentile").run(timestamps, values, window=window, q=q,
                                   min_points=min_points)
    _, r = rolling(timestamps, values, window, min_points)
    check(out, expected(timestamps, values, r.quantile(q / 100)), values)


@SETTINGS
@given(data=series(), window=WINDOWS, min_points=st.integers(2, 5))
def test_zscore_agrees_with_pandas(plugin, data, window, min_points):
    timestamps, values = data
    out = plugin("zscore").run(timestamps, values, window=window,
                               min_points=min_points)
    s, r = rolling(timestamps, values, window, min_points)
    want_t, std = expected(timestamps, values, r.std())
    _, deviation = expected(timestamps, values, r.std().notna() * (s - r.mean()))
    assert out.timestamps.tolist() == want_t.tolist()
    # pandas divides 0 by 0 for a constant window, which scores 0 here; a
    # near-constant one divides rounding noise by a tiny std.
    constant = std == 0
    assert np.all(out.values[constant] == 0)
    fair = std > 1e-6 * scale(values)
    assert out.values[fair] == pytest.approx(deviation[fair] / std[fair],
                                             rel=1e-7, abs=1e-7)


@SETTINGS
@example(data=SPIKES_THEN_CALM, window=datetime.timedelta(seconds=12),
         min_points=2)
@example(data=SPIKES_THEN_CALM, window=datetime.timedelta(seconds=5),
         min_points=5)
@given(data=series(), window=WINDOWS, min_points=st.integers(2, 5))
def test_zscore_against_the_exact_reference(plugin, data, window,
                                            min_points):
    # pandas' own sliding update errs on near-constant windows: the exact
    # reference checks those, and the bound of each window's size.
    timestamps, values = data
    out = plugin("zscore").run(timestamps, values, window=window,
                               min_points=min_points)
    window_ns = window // datetime.timedelta(microseconds=1) * 1000
    check_zscore(out, reference.over_time(reference.zscore, timestamps,
                                          values, window_ns, min_points),
                 reference.over_time(len, timestamps, values, window_ns,
                                     min_points)[1])


@pytest.mark.parametrize("seconds, min_points", [(300, 1), (300, 3),
                                                  (20_000, 1)])
@pytest.mark.parametrize("name", sorted(PANDAS) + ["zscore"])
def test_many_points_leave_at_once(plugin, name, seconds, min_points):
    """Long irregular series: windows across every block of the kernels,
    windows that drop hundreds of points in one step after a long gap,
    and (20,000 s) windows of more points than the kernels' first
    buffers hold."""
    rng = np.random.default_rng(20261202)
    steps = rng.exponential(1.0, 60_000) * 1e9
    steps[rng.random(len(steps)) < 0.001] *= 1000
    timestamps = np.cumsum(steps).astype(np.int64)
    values = rng.standard_normal(len(steps)) * 10 + 1e4
    values[rng.random(len(values)) < 0.05] = np.nan
    window = datetime.timedelta(seconds=seconds)
    if name in ("moving-std", "zscore"):
        min_points = max(min_points, 2)
    out = plugin(name).run(timestamps, values, window=window,
                           min_points=min_points)
    s, r = rolling(timestamps, values, window, min_points)
    reference = (s - r.mean()) / r.std() if name == "zscore" \
        else PANDAS[name](r)
    want = expected(timestamps, values, reference)
    assert out.timestamps.tolist() == want[0].tolist()
    assert np.max(np.abs(out.values - want[1])) < 1e-9 * np.max(
        np.abs(want[1]))


@pytest.mark.parametrize("name", sorted(PANDAS) + ["zscore", "p10", "p90"])
def test_steady_steps_then_irregular_ones(plugin, name):
    """Regular steps (the kernels walk the left edge there), then
    irregular ones with bursts, then regular again with a gap."""
    rng = np.random.default_rng(11)
    steps = np.concatenate([np.full(9_000, 1e9),
                            rng.exponential(1.0, 9_000) * 1e9,
                            np.full(9_000, 1e9)])
    # A burst of 200 points in 200 ms: windows of more points than the
    # median's few-dozen-point path keeps in its first buffer.
    steps[12_000:12_200] = 1e6
    steps[20_000] = 3600e9
    timestamps = np.cumsum(steps).astype(np.int64)
    values = rng.standard_normal(len(steps)) * 10 + 1e4
    values[rng.random(len(values)) < 0.01] = np.nan
    window = datetime.timedelta(seconds=10)
    s, r = rolling(timestamps, values, window, 2)
    if name in ("p10", "p90"):
        out = plugin("percentile").run(timestamps, values, window=window,
                                       min_points=2, q=int(name[1:]))
        reference = r.quantile(int(name[1:]) / 100)
    else:
        out = plugin(name).run(timestamps, values, window=window,
                               min_points=2)
        reference = (s - r.mean()) / r.std() if name == "zscore" \
            else PANDAS[name](r)
    want = expected(timestamps, values, reference)
    assert out.timestamps.tolist() == want[0].tolist()
    assert np.max(np.abs(out.values - want[1])) < 1e-9 * np.max(
        np.abs(want[1]))


def _exact_zscore(window):
    """The z-score in fractions (reference.zscore rounds the mean first:
    1e-4 off here, where deviations are 1e-3 on 1e9)."""
    window = [fractions.Fraction(v) for v in window]
    mean = sum(window) / len(window)
    var = sum((v - mean) ** 2 for v in window) / (len(window) - 1)
    return float((window[-1] - mean) / fractions.Fraction(math.sqrt(var))) \
        if var else 0.0


@pytest.mark.parametrize("name", ["moving-std", "zscore",
                                  "stdvar-over-time"])
def test_spreads_are_exact_far_from_zero(plugin, name):
    """Values around 1e9 that vary by 1e-3, and spikes of 1e12 coming and
    going: each window's result agrees with the exact one (fractions) to
    1e-9 of itself, the calm windows after a spike too (where a sliding
    update is left with the spike's rounding errors)."""
    rng = np.random.default_rng(7)
    n = 3_000
    timestamps = np.cumsum(rng.exponential(1.0, n) * 1e9).astype(np.int64)
    values = 1e9 + np.round(rng.standard_normal(n), 3) * 1e-3
    values[rng.choice(n, 20, replace=False)] = 1e12
    window = datetime.timedelta(seconds=40)
    out = plugin(name).run(timestamps, values, window=window, min_points=2)
    exact = {"moving-std": statistics.stdev, "zscore": _exact_zscore,
             "stdvar-over-time": statistics.pvariance}[name]
    seconds = timestamps / 1e9
    want = []
    for k in range(n):
        inside = values[(seconds > seconds[k] - 40) & (seconds <= seconds[k])]
        if len(inside) >= 2:
            want.append(exact([float(v) for v in inside]))
    assert len(out.values) == len(want)
    assert out.values == pytest.approx(want, rel=1e-9, abs=1e-300)


def test_the_window_is_half_open(plugin):
    # (t - 10 s, t]: the point 10 s before t is out, the one 9 s before in.
    seconds = [0, 1, 10, 11, 30]
    out = plugin("moving-sum").run([s * 10 ** 9 for s in seconds],
                                   [1.0, 2.0, 4.0, 8.0, 16.0], window="10s")
    assert out.values.tolist() == [1, 3, 6, 12, 16]


def test_gaps_are_skipped_and_give_no_result(plugin):
    out = plugin("moving-average").run(
        [1, 2, 3, 4], [1.0, math.nan, 3.0, math.inf], window="1min",
        min_points="2")
    assert out.timestamps.tolist() == [3]
    assert out.values.tolist() == [2.0]


@pytest.mark.parametrize("name, query, parameter", [
    ("moving-average", {"window": "5parsecs"}, "window"),
    ("moving-average", {"window": "3661 days"}, "window"),
    ("moving-average", {"window": "5min", "center": "true"}, "center"),
    ("moving-average", {"window": "5", "min_points": "2"}, "min_points"),
    ("moving-average", {"window": "5min", "min_points": "0"}, "min_points"),
    ("moving-std", {"window": "5min", "min_points": "1"}, "min_points"),
    ("zscore", {"window": "5min", "min_points": "1"}, "min_points"),
])
def test_bad_duration_queries_name_the_parameter(plugin, name, query,
                                                 parameter):
    with pytest.raises(ParameterError) as exc:
        plugin(name).validate(query)
    assert exc.value.parameter == parameter
