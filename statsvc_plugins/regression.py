"""PromQL's ``deriv`` and ``predict_linear``: the least-squares line
through each window's points (``_regression.c``: exact two-pass for short
windows, sliding integer and double-double sums for long ones)."""
import math

import numpy as np

from statsvc.native import import_extension
from statsvc.statistics import Parameter
from statsvc_plugins._ranges import (
    MAX_WORK, RangeStatistic, range_parameters, too_much_work)

_regression = import_extension("statsvc_plugins._regression")


def fit_lines(timestamps, values, first, last, horizon):
    """Slopes per second (``horizon`` NaN) or the lines' values
    ``horizon`` seconds after each window's last point.

    The work is bounded by :data:`MAX_WORK` points visited: the windows'
    points when they are short (two-pass fits), the points slid in and
    out when they are long (so a long window over many points is fine).
    """
    out = np.empty(len(last))
    if not _regression.fit_lines(
            np.ascontiguousarray(timestamps), np.ascontiguousarray(values),
            first.astype(np.int64), last.astype(np.int64), horizon,
            MAX_WORK, out):
        raise too_much_work()
    return out


class Deriv(RangeStatistic):
    """Per-second slope of the least-squares line through each window's
    points, as PromQL's ``deriv`` (0 for a constant window)."""

    description = ("Per-second slope of the least-squares line through each "
                   "window's points.")
    unit = "the values' unit per second"
    fewest = 2
    parameters = range_parameters(fewest)

    def reduce(self, timestamps, values, first, last):
        return fit_lines(timestamps, values, first, last, math.nan)


class PredictLinear(RangeStatistic):
    """The value the least-squares line through each window's points
    predicts ``horizon`` seconds after the window's last point, as PromQL's
    ``predict_linear`` (stamped with that last point)."""

    description = ("Value predicted horizon seconds ahead by the "
                   "least-squares line through each window's points.")
    unit = "the values' unit"
    fewest = 2
    parameters = range_parameters(fewest) + (
        Parameter("horizon", float, min=-1e10, max=1e10,
                  help="seconds after each window's last point (negative: "
                       "before)"),)

    def reduce(self, timestamps, values, first, last, horizon):
        return fit_lines(timestamps, values, first, last, horizon)
