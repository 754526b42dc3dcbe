"""PromQL's counter functions: ``increase`` and ``irate``, with resets.

A counter only grows, but for resets (a restart sets it back to 0 or
near): a value below the previous one is a reset, after which the
counter counts from 0 again.
"""
import datetime

import numpy as np

from statsvc.statistics import ParameterError
from statsvc_plugins._ranges import RangeStatistic, range_parameters
from statsvc_plugins._window import window_ns

_SECOND = 1e-9  # seconds per nanosecond


class Increase(RangeStatistic):
    """Increase of a counter over each duration window, as PromQL's
    ``increase(x[window])`` evaluated at each point.

    Over the window's points ``p_1..p_n`` (``n >= 2``): ``x_n - x_1``
    plus, at each reset, the value before it; then extrapolated as
    Prometheus' ``extrapolatedRate``: from ``p_1`` back to the window's
    start if it is within 1.1 times the average step (else half a step),
    but not before the counter would have been 0; the window ends at
    ``p_n`` (results are stamped with it), so nothing is added there.
    """

    description = ("Increase of a counter over each duration window, "
                   "resets counted, extrapolated to the window's start as "
                   "PromQL's increase().")
    unit = "the values' unit"
    fewest = 2
    parameters = range_parameters(fewest)

    def check_parameters(self, params):
        if not isinstance(params["window"], datetime.timedelta):
            raise ParameterError("window", "must be a duration (5min, 300s):"
                                           " increase extrapolates to the"
                                           " window's start")
        return super().check_parameters(params)

    def compute(self, data, window, min_points=None):
        return super().compute(data, window, min_points,
                               window_seconds=window_ns(window) * _SECOND)

    def reduce(self, timestamps, values, first, last, window_seconds):
        x_first, x_last = values[first], values[last]
        # The value before each reset, summed: what the resets took away.
        lost = np.zeros(len(values))
        np.cumsum(np.where(values[1:] < values[:-1], values[:-1], 0.0),
                  out=lost[1:])
        result = x_last - x_first + (lost[last] - lost[first])
        sampled = (timestamps[last] - timestamps[first]) * _SECOND
        average = sampled / (last - first)
        to_start = window_seconds - sampled
        with np.errstate(divide="ignore", invalid="ignore"):
            to_zero = np.where((result > 0) & (x_first >= 0),
                               sampled * (x_first / result), np.inf)
        to_start = np.minimum(to_start, to_zero)
        extra = np.where(to_start < 1.1 * average, to_start, average / 2)
        return result * ((sampled + extra) / sampled)


class IRate(RangeStatistic):
    """Per-second rate of a counter from the last two points of each
    window, as PromQL's ``irate``: after a reset, the last value over the
    time since the previous point."""

    description = ("Per-second rate of a counter between the last two "
                   "points of each window, a reset counting from 0.")
    unit = "the values' unit per second"
    fewest = 2
    parameters = range_parameters(fewest)

    def reduce(self, timestamps, values, first, last):
        # Every point's rate in contiguous passes, then one gather.
        now, before = values[1:], values[:-1]
        rate = np.empty(len(values))
        np.divide(np.where(now < before, now, now - before),
                  np.diff(timestamps) * _SECOND, out=rate[1:])
        return rate[last]
