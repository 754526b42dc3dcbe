"""Time-wise transformations of a grid of series (rows are times, columns
series): rolling windows, resampling, and re-aligning separate series."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from statsvc import aggregation


#: Cells of the windows viewed at once: bounds the memory of a rolling
#: reduction (its NaN-aware functions copy what they reduce), 32 MiB.
WINDOW_CELLS = 2 ** 22


def rolling(values, window, method, reduce):
    """``reduce(method, windows, axis)`` over each run of ``window`` rows;
    ``window - 1`` rows fewer (one more for ``rate:``). Reduced a block of
    rows at a time, so that memory stays bounded whatever the window."""
    base = method[5:] if method.startswith("rate:") else method
    series = values.T
    count = series.shape[1] - window + 1
    step = max(1, WINDOW_CELLS // max(1, window * series.shape[0]))
    blocks = [np.asarray(reduce(base, sliding_window_view(
        series[:, first:first + step + window - 1], window, axis=-1), -1),
        "float64") for first in range(0, count, step)]
    rolled = np.concatenate(blocks, axis=-1) if blocks \
        else np.empty((series.shape[0], 0))
    return (np.diff(rolled) if base != method else rolled).T


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
