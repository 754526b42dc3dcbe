"""Time-wise transformations of a grid of series (rows are times, columns
series): rolling windows, resampling, and re-aligning separate series."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from statsvc import aggregation


def rolling(values, window, method, reduce):
    """``reduce(method, windows, axis)`` over each run of ``window`` rows;
    ``window - 1`` rows fewer (one more for ``rate:``)."""
    view = sliding_window_view(values.T, window, axis=-1)
    return np.asarray(reduce(method, view, -1), "float64").T


def resample(times, values, grain_ns, method):
    """Each column resampled into buckets of ``grain_ns`` as a stored
    series is (:func:`statsvc.aggregation.resample`, Gnocchi's carbonara
    rules: ``std`` is the sample one, ``rate:X`` is X of the differences
    between consecutive rows, a NaN makes its bucket NaN)."""
    columns = [aggregation.resample(times, column, grain_ns, method)
               for column in values.T]
    # Every column has the same times, so the same buckets.
    stamps = columns[0][0] if columns else times[:0]
    return stamps, np.column_stack([v for _, v in columns]) if columns \
        else np.empty((len(stamps), 0))


def align(columns):
    """One grid of ``[(times, values), ...]`` on the union of their times,
    NaN where a series has no point."""
    times = np.unique(np.concatenate([t for t, _ in columns])) \
        if columns else np.array([], "int64")
    grid = np.full((len(times), len(columns)), np.nan)
    for i, (ts, vals) in enumerate(columns):
        grid[np.searchsorted(times, ts), i] = vals
    return times, grid
