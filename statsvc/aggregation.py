"""Resampling a series into fixed time buckets with Gnocchi's aggregation methods.

Everything is vectorised: points are sorted by time, so each bucket is a
contiguous slice and ``ufunc.reduceat`` aggregates all buckets at once.
"""
import re

import numpy as np

_PERCENTILE = re.compile(r"^p(\d{1,2}(?:\.\d+)?|100)$")
BASIC_METHODS = ("mean", "sum", "min", "max", "count", "std", "median",
                 "first", "last")


class UnknownAggregation(ValueError):
    """The aggregation method is not one of :data:`BASIC_METHODS` or ``pNN``."""


def is_valid(method):
    """Whether ``method`` names a supported aggregation."""
    return method in BASIC_METHODS or _PERCENTILE.match(method) is not None


def resample(timestamps, values, granularity_ns, method):
    """Aggregate ``values`` per bucket of ``granularity_ns`` nanoseconds.

    Buckets are aligned on multiples of the granularity since the epoch and
    stamped with their start, as Gnocchi does. Returns ``(timestamps,
    values)``; empty buckets are absent.
    """
    return _grouped(timestamps - timestamps % granularity_ns, values, method)


#: Gnocchi's calendar groupings: year, half-year, quarter, month, week.
CALENDAR = ("Y", "H", "Q", "M", "W")
_MONTHS = {"Y": 12, "H": 6, "Q": 3, "M": 1}
_NS_PER_DAY = 86400 * 10 ** 9


def resample_calendar(timestamps, values, unit, method):
    """:func:`resample` into calendar buckets (``unit`` one of
    :data:`CALENDAR`, in UTC), stamped with their first day; weeks start on
    Sunday, as Gnocchi's do."""
    if unit == "W":
        days = timestamps // _NS_PER_DAY
        # 1970-01-01 was a Thursday: day 3 is the first Sunday.
        buckets = ((days + 4) // 7 * 7 - 4) * _NS_PER_DAY
    else:
        months = timestamps.view("datetime64[ns]").astype(
            "datetime64[M]").astype("int64")
        months -= months % _MONTHS[unit]
        buckets = months.astype("datetime64[M]").astype(
            "datetime64[ns]").astype("int64")
    return _grouped(buckets, values, method)


def resample_many(timestamps, values, granularity_ns, methods):
    """:func:`resample` with several methods, grouping once:
    ``(timestamps, {method: values})``."""
    for method in methods:
        if not is_valid(method):
            raise UnknownAggregation(method)
    buckets = timestamps - timestamps % granularity_ns
    if buckets.size == 0:
        return buckets, {m: values.astype("float64") for m in methods}
    # No np.r_: on the small arrays of a write it costs more than the rest.
    first = np.empty(buckets.size, dtype=bool)
    first[0] = True
    np.not_equal(buckets[1:], buckets[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    counts = np.diff(starts, append=buckets.size)
    return buckets[starts], {m: _aggregate(values, starts, counts, m)
                             for m in methods}


def _grouped(buckets, values, method):
    """Aggregate ``values`` per run of equal ``buckets`` (sorted)."""
    if not is_valid(method):
        raise UnknownAggregation(method)
    if buckets.size == 0:
        return buckets, values.astype("float64")
    starts = np.flatnonzero(np.r_[True, buckets[1:] != buckets[:-1]])
    counts = np.diff(np.r_[starts, buckets.size])
    return buckets[starts], _aggregate(values, starts, counts, method)


def _aggregate(values, starts, counts, method):
    if method == "count":
        return counts.astype("float64")
    if method == "first":
        return values[starts]
    if method == "last":
        return values[starts + counts - 1]
    if method == "sum":
        return np.add.reduceat(values, starts)
    if method == "mean":
        return np.add.reduceat(values, starts) / counts
    if method == "min":
        return np.minimum.reduceat(values, starts)
    if method == "max":
        return np.maximum.reduceat(values, starts)
    if method == "std":
        return _std(values, starts, counts)
    q = 50.0 if method == "median" else float(method[1:])
    return _percentile(values, starts, counts, q)


def _std(values, starts, counts):
    """Sample standard deviation (ddof=1) per bucket; NaN for one point."""
    means = np.add.reduceat(values, starts) / counts
    deviations = values - np.repeat(means, counts)
    squares = np.add.reduceat(deviations * deviations, starts)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sqrt(squares / (counts - 1))


def _percentile(values, starts, counts, q):
    """Linear-interpolation percentile per bucket, all buckets in one sort."""
    group = np.repeat(np.arange(starts.size), counts)
    ordered = values[np.lexsort((values, group))]
    position = starts + (counts - 1) * (q / 100.0)
    low = np.floor(position).astype("int64")
    high = np.minimum(low + 1, starts + counts - 1)
    fraction = position - low
    return ordered[low] + (ordered[high] - ordered[low]) * fraction
