"""mad-outliers against its definition; stl-residual against
statsmodels' STL (without statsmodels: tests/functional/test_forecasting.py)."""
import datetime

import numpy as np
import pytest
from hypothesis import given, strategies as st
from statsmodels.tsa.seasonal import STL

from statsvc.statistics import ParameterError
from statsvc_plugins._ranges import window_edges
from statsvc_plugins.mad_outliers import _robust
from tests.unit.statistics import reference
from tests.unit.statistics.test_properties import SETTINGS, series
from tests.unit.statistics.test_ranges import ANY_WINDOW, as_reference


@SETTINGS
@given(data=series(), window=ANY_WINDOW, min_points=st.integers(1, 5),
       threshold=st.sampled_from([0.0, 1.0, 2.5, 3.0]))
def test_mad_outliers_is_the_definition(plugin, data, window, min_points,
                                        threshold):
    timestamps, values = data
    query = {"window": window, "threshold": threshold}
    if isinstance(window, int):
        min_points = 1
    else:
        query["min_points"] = min_points
    out = plugin("mad-outliers").run(timestamps, values, **query)
    expected = reference.over_windows(reference.mad_outlier(threshold),
                                      timestamps, values,
                                      as_reference(window), min_points)
    assert out.timestamps.tolist() == expected[0]
    assert out.values.tolist() == expected[1]


def test_mad_outliers_flags_a_spike_that_a_zscore_misses(plugin):
    # Two spikes in 9 points inflate the std (z-score 2.0 < 3) but not
    # the MAD: both are flagged.
    values = [10.0, 11, 10, 9, 10, 100, 11, 10, 100]
    flags = plugin("mad-outliers").run(range(9), values, window=9)
    scores = plugin("zscore").run(range(9), values, window=9)
    assert flags.values.tolist() == [1.0]
    assert scores.values[0] < 3


def test_mad_outliers_of_a_mostly_flat_window(plugin):
    # MAD 0: any value off the median is an outlier, the median is not.
    out = plugin("mad-outliers").run(range(5), [5.0, 5, 5, 5, 6], window=3)
    assert out.values.tolist() == [0.0, 0.0, 1.0]


@SETTINGS
@given(seed=st.integers(0, 2 ** 32 - 1), size=st.integers(1, 300),
       window=st.one_of(st.integers(1, 120), st.integers(1, 100).map(
           lambda s: datetime.timedelta(seconds=s))),
       ties=st.booleans())
def test_the_kernel_slides_to_numpys_medians(seed, size, window, ties):
    # Medians and MADs themselves, bit for bit, as the window slides over
    # hundreds of points (the flags above only see them through a
    # threshold): numpy's median, the mean of the middle two for an even
    # count, as statistics.median.
    rng = np.random.default_rng(seed)
    t = np.cumsum(rng.integers(1, 2 * 10 ** 9, size)).astype(np.int64)
    x = (rng.integers(-3, 4, size).astype(float) if ties
         else rng.standard_normal(size) * 10.0 ** rng.integers(-3, 6))
    first, last = (a.astype(np.int64) for a in window_edges(t, window))
    median, mad = np.empty(len(last)), np.empty(len(last))
    _robust.median_deviations(x, first, last, median, mad)
    for k, (f, l) in enumerate(zip(first, last)):
        inside = x[f:l + 1]
        assert median[k] == np.median(inside)
        assert mad[k] == np.median(np.abs(inside - np.median(inside)))


def seasonal(n, period, seed):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return (50 + 0.1 * t + 5 * np.sin(2 * np.pi * t / period)
            + rng.standard_normal(n))


@pytest.mark.parametrize("period, robust", [(7, False), (24, True),
                                            (12, False)])
def test_stl_residual_is_statsmodels(plugin, period, robust):
    values = seasonal(10 * period, period, period)
    values[3] = np.nan  # a gap: dropped before the decomposition
    stamps = np.arange(len(values)) * 60 * 10 ** 9
    out = plugin("stl-residual").run(stamps, values, period=period,
                                     robust=robust)
    valid = np.isfinite(values)
    fit = STL(values[valid], period=period, robust=robust).fit()
    # The same computation on the same points: identical.
    assert out.timestamps.tolist() == stamps[valid].tolist()
    assert out.values.tolist() == fit.resid.tolist()
    # A residual is what trend and season leave: small against the noise.
    assert np.std(out.values) < 1.0


def test_stl_residual_needs_two_periods(plugin):
    stl = plugin("stl-residual")
    assert len(stl.run(range(13), seasonal(13, 7, 0), period=7).values) == 0
    assert len(stl.run(range(14), seasonal(14, 7, 0), period=7).values) == 14


@pytest.mark.parametrize("query, where", [
    ({}, "period"), ({"period": "1"}, "period"),
    ({"period": "7", "seasonal": "8"}, "seasonal"),
    ({"period": "7", "robust": "maybe"}, "robust"),
])
def test_stl_bad_parameters(plugin, query, where):
    with pytest.raises(ParameterError) as e:
        plugin("stl-residual").run([1], [1.0], **query)
    assert e.value.parameter == where

