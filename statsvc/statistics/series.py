"""The series type passed to and returned by statistics, and its helpers."""
import collections

import numpy as np

#: A time series: ``timestamps`` (int64 nanoseconds since the epoch, sorted
#: ascending, one value per timestamp) and ``values`` (float64), two 1-D
#: numpy arrays of the same length.
Series = collections.namedtuple("Series", ["timestamps", "values"])


def as_series(data):
    """Return ``data`` as a :class:`Series` of int64 ns and float64 arrays.

    ``data`` is a :class:`Series` or any ``(timestamps, values)`` pair;
    timestamps may be integers (ns) or ``datetime64`` of any unit.  Arrays
    that already have the right dtype are not copied.  Raise
    :class:`ValueError` if the arrays are not 1-D or differ in length.
    Sortedness is the caller's promise and is not checked (it costs a pass).
    """
    timestamps, values = data
    timestamps = np.asarray(timestamps)
    if timestamps.dtype.kind == "M":
        timestamps = timestamps.astype("datetime64[ns]").view(np.int64)
    elif timestamps.size == 0 or timestamps.dtype.kind in "iu":
        timestamps = timestamps.astype(np.int64, copy=False)
    else:
        raise ValueError(f"timestamps must be integers (ns) or datetime64,"
                         f" not {timestamps.dtype}")
    values = np.asarray(values, dtype=np.float64)
    if timestamps.ndim != 1 or values.ndim != 1:
        raise ValueError("timestamps and values must be 1-D")
    if len(timestamps) != len(values):
        raise ValueError(f"{len(timestamps)} timestamps but {len(values)}"
                         f" values")
    return Series(timestamps, values)


def drop_gaps(series):
    """Return ``series`` without its non-finite points (NaN, +-inf).

    Resampling marks gaps with NaN; statistics treat a gap as a missing
    point, not as a value.  The common gap-free case costs one vectorised
    sum and returns the same arrays (no copy).
    """
    values = series.values
    # A finite sum proves every value finite (NaN and inf propagate); one
    # that overflows only sends us down the exact path.  (np.dot would be
    # 2x faster, but BLAS threads stall for milliseconds on a busy host.)
    with np.errstate(over="ignore", invalid="ignore"):
        finite = np.isfinite(values.sum())
    if finite:
        return series
    keep = np.isfinite(values)
    return Series(series.timestamps[keep], values[keep])


def clean(data):
    """:func:`as_series` then :func:`drop_gaps`: what most plugins start with."""
    return drop_gaps(as_series(data))
