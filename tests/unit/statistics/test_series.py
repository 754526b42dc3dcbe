"""Series normalisation and gap dropping."""
import numpy as np
import pytest

from statsvc.statistics import Series, as_series, drop_gaps


def test_as_series_keeps_arrays_of_the_right_dtype():
    t = np.array([1, 2], dtype=np.int64)
    v = np.array([1.0, 2.0])
    s = as_series(Series(t, v))
    assert s.timestamps is t and s.values is v


def test_as_series_converts_datetime64_and_lists():
    s = as_series((np.array(["1970-01-01T00:00:01"], dtype="datetime64[s]"),
                   [3]))
    assert s.timestamps.tolist() == [10 ** 9] and s.timestamps.dtype == np.int64
    assert s.values.dtype == np.float64


@pytest.mark.parametrize("data", [
    ([1, 2], [1.0]),
    ([[1]], [[1.0]]),
    ([1.5, 2.5], [1.0, 2.0]),
])
def test_as_series_refuses_malformed_data(data):
    with pytest.raises(ValueError):
        as_series(data)


def test_drop_gaps_without_gaps_copies_nothing():
    s = as_series(([1, 2], [1.0, 2.0]))
    assert drop_gaps(s) is s


def test_drop_gaps_drops_non_finite_points_with_their_timestamps():
    s = drop_gaps(as_series(([1, 2, 3, 4], [np.nan, 2.0, np.inf, -1.0])))
    assert s.timestamps.tolist() == [2, 4] and s.values.tolist() == [2.0, -1.0]


def test_drop_gaps_keeps_finite_values_whose_sum_overflows():
    s = drop_gaps(as_series(([1, 2], [1e308, 1e308])))
    assert s.values.tolist() == [1e308, 1e308]
