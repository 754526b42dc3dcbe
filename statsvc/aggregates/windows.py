"""Time-wise transformations of a grid of series (rows are times, columns
series): rolling windows, resampling, and re-aligning separate series."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def rolling(values, window, method, reduce):
    """``reduce(method, windows, axis)`` over each run of ``window`` rows;
    ``window - 1`` rows fewer (one more for ``rate:``)."""
    view = sliding_window_view(values.T, window, axis=-1)
    return np.asarray(reduce(method, view, -1), "float64").T


def resample(times, values, grain_ns, method, reduce):
    """Rows grouped into buckets of ``grain_ns`` (aligned on the epoch,
    stamped with their start) and reduced by ``method`` per column;
    ``rate:X`` is the difference of consecutive X buckets."""
    buckets = times - times % grain_ns
    starts = np.flatnonzero(np.r_[True, buckets[1:] != buckets[:-1]]) \
        if len(buckets) else np.array([], "int64")
    ends = np.r_[starts[1:], len(buckets)]
    base = method[5:] if method.startswith("rate:") else method
    rows = [reduce(base, values[s:e], 0) for s, e in zip(starts, ends)]
    result = np.array(rows, "float64").reshape(len(starts),
                                               values.shape[1])
    stamps = buckets[starts]
    if base != method:
        return stamps[1:], np.diff(result, axis=0)
    return stamps, result


def align(columns):
    """One grid of ``[(times, values), ...]`` on the union of their times,
    NaN where a series has no point."""
    times = np.unique(np.concatenate([t for t, _ in columns])) \
        if columns else np.array([], "int64")
    grid = np.full((len(times), len(columns)), np.nan)
    for i, (ts, vals) in enumerate(columns):
        grid[np.searchsorted(times, ts), i] = vals
    return times, grid
