"""Point-to-point statistics: delta, rate, and the inverse, cumulative sum.

Gaps (NaN) are dropped first: a difference spans a gap, from the last
valid point before it to the first one after it.
"""
import numpy as np

from statsvc.statistics import Series, Statistic, as_series, clean, drop_gaps

_SPANNED = ("dropped: a difference spans a gap, from the last valid point"
            " before it to the first after it")


class Delta(Statistic):
    """Difference between consecutive points (Gnocchi's ``rate:``).

    One point shorter than the (gap-free) input, each difference stamped
    with the later point's timestamp.
    """

    description = "Difference between each point and the previous one."
    unit = "the values' unit"
    gaps = _SPANNED

    def compute(self, data):
        data = clean(data)
        return Series(data.timestamps[1:], np.diff(data.values))


class Rate(Statistic):
    """Difference between consecutive points per second of elapsed time.

    As :class:`Delta`, divided by the seconds between the two timestamps
    (which the series' one-value-per-timestamp rule keeps positive).
    """

    description = ("Difference between each point and the previous one, per "
                   "second elapsed.")
    unit = "the values' unit per second"
    gaps = _SPANNED

    def compute(self, data):
        data = clean(data)
        seconds = np.diff(data.timestamps) * 1e-9
        return Series(data.timestamps[1:], np.diff(data.values) / seconds)


class CumulativeSum(Statistic):
    """Running total of the values, gaps counting as nothing."""

    description = "Running total of the values."
    unit = "the values' unit"
    gaps = "count as nothing: no result at a gap"

    def compute(self, data):
        data = as_series(data)
        totals = np.cumsum(data.values)
        # A NaN or inf carries to the last total: a finite one proves that
        # there was no gap, without a pass to look for them.
        if len(totals) and not np.isfinite(totals[-1]):
            data = drop_gaps(data)
            totals = np.cumsum(data.values)
        return Series(data.timestamps, totals)
