"""Hand-checked results of every first-party plugin, and their edge cases."""
import math

import numpy as np
import pytest

from statsvc.statistics import Series

NAN = float("nan")
T = [10, 20, 30, 40, 50]
V = [1.0, 3.0, 2.0, 6.0, 4.0]
WINDOWED = ["moving-average", "moving-sum", "moving-median", "moving-min",
            "moving-max", "moving-std", "percentile", "zscore"]
ALL = WINDOWED + ["ewma", "delta", "rate", "cumulative-sum"]
# A query each statistic accepts, window 2 where there is one.
QUERY = {name: {"window": "2"} for name in WINDOWED}
QUERY.update({"percentile": {"window": "2", "q": "50"}, "ewma": {"alpha": "0.5"},
              "delta": {}, "rate": {}, "cumulative-sum": {}})


def run(plugin, name, timestamps=T, values=V, **query):
    out = plugin(name).run(timestamps, values, **query)
    assert out.timestamps.dtype == np.int64
    assert out.values.dtype == np.float64
    assert len(out.timestamps) == len(out.values)
    return out.timestamps.tolist(), out.values.tolist()


@pytest.mark.parametrize("name, query, timestamps, values", [
    ("moving-average", {"window": "2"}, [20, 30, 40, 50], [2, 2.5, 4, 5]),
    ("moving-average", {"window": "3", "center": "true"}, [20, 30, 40],
     [2, 11 / 3, 4]),
    # Even window, centred: the later of the two middle points.
    ("moving-average", {"window": "4", "center": "yes"}, [30, 40], [3, 3.75]),
    ("moving-average", {"window": "2", "center": "1"}, [20, 30, 40, 50],
     [2, 2.5, 4, 5]),
    ("moving-sum", {"window": "3"}, [30, 40, 50], [6, 11, 12]),
    ("moving-median", {"window": "3"}, [30, 40, 50], [2, 3, 4]),
    ("moving-median", {"window": "4"}, [40, 50], [2.5, 3.5]),
    ("moving-min", {"window": "3"}, [30, 40, 50], [1, 2, 2]),
    ("moving-max", {"window": "3"}, [30, 40, 50], [3, 6, 6]),
    ("moving-max", {"window": "5"}, [50], [6]),
    ("moving-std", {"window": "2"}, [20, 30, 40, 50],
     [math.sqrt(2), math.sqrt(0.5), math.sqrt(8), math.sqrt(2)]),
    ("moving-std", {"window": "3"}, [30, 40, 50],
     [1, math.sqrt(13 / 3), 2]),
    ("percentile", {"window": "3", "q": "50"}, [30, 40, 50], [2, 3, 4]),
    ("percentile", {"window": "3", "q": "25"}, [30, 40, 50], [1.5, 2.5, 3]),
    ("percentile", {"window": "4", "q": "90"}, [40, 50], [5.1, 5.4]),
    ("percentile", {"window": "4", "q": "0"}, [40, 50], [1, 2]),
    ("percentile", {"window": "4", "q": "100"}, [40, 50], [6, 6]),
    ("percentile", {"window": "3", "q": "10", "center": "true"}, [20, 30, 40],
     [1.2, 2.2, 2.4]),
    ("zscore", {"window": "3"}, [30, 40, 50],
     [0, (7 / 3) / math.sqrt(13 / 3), 0]),
    ("zscore", {"window": "2"}, [20, 30, 40, 50],
     [1 / math.sqrt(2), -1 / math.sqrt(2), 1 / math.sqrt(2), -1 / math.sqrt(2)]),
    ("ewma", {"alpha": "0.5"}, T,
     [1, 3.5 / 1.5, 3.75 / 1.75, 7.875 / 1.875, 7.9375 / 1.9375]),
    # span 3 and halflife 1 are alpha 0.5 too.
    ("ewma", {"span": "3"}, T,
     [1, 3.5 / 1.5, 3.75 / 1.75, 7.875 / 1.875, 7.9375 / 1.9375]),
    ("ewma", {"halflife": "1"}, T,
     [1, 3.5 / 1.5, 3.75 / 1.75, 7.875 / 1.875, 7.9375 / 1.9375]),
    ("ewma", {"alpha": "1"}, T, V),
    ("delta", {}, [20, 30, 40, 50], [2, -1, 4, -2]),
    ("cumulative-sum", {}, T, [1, 4, 6, 12, 16]),
])
def test_hand_made_series(plugin, name, query, timestamps, values):
    out_t, out_v = run(plugin, name, **query)
    assert out_t == timestamps
    assert out_v == pytest.approx(values, rel=1e-12, abs=1e-12)


def test_rate_is_delta_per_second(plugin):
    seconds = [0, 2, 3, 7, 8]
    out_t, out_v = run(plugin, "rate", [s * 10 ** 9 for s in seconds], V)
    assert out_t == [2e9, 3e9, 7e9, 8e9]
    assert out_v == [1, -1, 1, -2]


def test_datetime64_timestamps_are_accepted(plugin):
    stamps = np.array(["2026-01-01T00:00:00", "2026-01-01T00:00:10",
                       "2026-01-01T00:00:30"], dtype="datetime64[s]")
    out_t, out_v = run(plugin, "rate", stamps, [1.0, 2.0, 6.0])
    assert out_t == [stamps[1].astype("datetime64[ns]").astype(np.int64),
                     stamps[2].astype("datetime64[ns]").astype(np.int64)]
    assert out_v == [0.1, 0.2]


@pytest.mark.parametrize("name", ALL)
def test_empty_series_gives_empty_series(plugin, name):
    assert run(plugin, name, [], [], **QUERY[name]) == ([], [])


@pytest.mark.parametrize("name", ALL)
def test_only_gaps_gives_empty_series(plugin, name):
    assert run(plugin, name, [1, 2, 3], [NAN, NAN, math.inf],
               **QUERY[name]) == ([], [])


@pytest.mark.parametrize("name", WINDOWED + ["delta", "rate"])
def test_one_point_is_shorter_than_any_window(plugin, name):
    assert run(plugin, name, [5], [7.0], **QUERY[name]) == ([], [])


@pytest.mark.parametrize("name, value", [
    ("moving-average", 7), ("moving-sum", 7), ("moving-median", 7),
    ("moving-min", 7), ("moving-max", 7)])
def test_window_of_one_is_the_series(plugin, name, value):
    assert run(plugin, name, [5, 6], [7.0, NAN], window="1") == ([5], [value])


@pytest.mark.parametrize("name", ["ewma", "cumulative-sum"])
def test_one_point_is_itself(plugin, name):
    assert run(plugin, name, [5], [7.0], **QUERY[name]) == ([5], [7.0])


@pytest.mark.parametrize("name", WINDOWED)
def test_window_longer_than_series_is_empty_not_an_error(plugin, name):
    query = dict(QUERY[name], window="6")
    assert run(plugin, name, **query) == ([], [])


@pytest.mark.parametrize("name", WINDOWED)
def test_largest_window_on_a_short_series(plugin, name):
    query = dict(QUERY[name], window=str(10 ** 7))
    assert run(plugin, name, **query) == ([], [])


@pytest.mark.parametrize("name, query, timestamps, values", [
    # Gaps are dropped: windows are runs of valid points.
    ("moving-average", {"window": "2"}, [30, 50], [2, 2.5]),
    ("moving-max", {"window": "2"}, [30, 50], [3, 3]),
    ("delta", {}, [30, 50], [2, -1]),
    ("rate", {}, [30, 50], [1e8, -5e7]),  # per 20 ns
    ("cumulative-sum", {}, [10, 30, 50], [1, 4, 6]),
    ("ewma", {"alpha": "0.5"}, [10, 30, 50], [1, 3.5 / 1.5, 3.75 / 1.75]),
])
def test_gaps_are_skipped(plugin, name, query, timestamps, values):
    out_t, out_v = run(plugin, name, T, [1.0, NAN, 3.0, -math.inf, 2.0],
                       **query)
    assert out_t == timestamps
    assert out_v == pytest.approx(values, rel=1e-12)


# 50 busy points then 12 equal ones.
BUSY_THEN_FLAT = (np.random.default_rng(7).standard_normal(50) * 1e3
                  + 1e4).tolist() + [0.1] * 12


@pytest.mark.parametrize("window", [2, 3, 4, 7])
@pytest.mark.parametrize("name, expected", [
    ("moving-std", 0.0), ("zscore", 0.0), ("moving-median", 0.1),
    ("percentile", 0.1), ("moving-min", 0.1)])
def test_constant_windows_are_exact(plugin, name, expected, window):
    # Busy values leave a residue in running updates (and a mean of equal
    # values need not be that value): a naive std is not 0 here.
    _, out_v = run(plugin, name, list(range(62)), BUSY_THEN_FLAT,
                   **dict(QUERY[name], window=str(window)))
    assert out_v[-(13 - window):] == [expected] * (13 - window)


@pytest.mark.parametrize("name, expected", [
    ("moving-average", 0.1), ("moving-sum", 0.3)])
def test_running_sums_are_accurate_relative_to_the_values_seen(
        plugin, name, expected):
    # bottleneck's running sum keeps a residue of order eps * 1e4.
    _, out_v = run(plugin, name, list(range(62)), BUSY_THEN_FLAT,
                   **dict(QUERY[name], window="3"))
    assert out_v[-6:] == pytest.approx([expected] * 6, rel=0, abs=1e-15 * 1e4)


def test_zscore_of_a_constant_series_is_zero_not_nan(plugin):
    assert run(plugin, "zscore", T, [2.5] * 5, window="5")[1] == [0.0]


def test_compute_does_not_modify_its_input(plugin):
    for name in ALL:
        values = np.array([1.0, NAN, 3.0, 2.0, 6.0, 4.0])
        timestamps = np.arange(6, dtype=np.int64)
        plugin(name).compute(Series(timestamps, values),
                             **plugin(name).validate(QUERY[name]))
        assert np.array_equal(values, [1.0, NAN, 3.0, 2.0, 6.0, 4.0],
                              equal_nan=True)
        assert timestamps.tolist() == list(range(6))


@pytest.mark.parametrize("name", WINDOWED + ["cumulative-sum"])
@pytest.mark.parametrize("gap", [NAN, math.inf, -math.inf])
def test_a_gap_in_a_long_series_is_dropped(plugin, name, gap):
    # Long enough for several of the kernels' chunks: the sum, mean, std,
    # z-score and cumulative sum find gaps as they go, the others before
    # they start.
    values = np.random.default_rng(3).standard_normal(40_000) + 100
    timestamps = np.arange(40_000) * 10
    query = dict(QUERY[name], window="20") if name in WINDOWED else {}
    with_gaps = values.copy()
    with_gaps[[0, 17_000, 39_999]] = gap
    keep = np.isfinite(with_gaps)
    ours = plugin(name).run(timestamps, with_gaps, **query)
    expected = plugin(name).run(timestamps[keep], values[keep], **query)
    assert np.array_equal(ours.timestamps, expected.timestamps)
    assert np.array_equal(ours.values, expected.values)
