"""PromQL's ``deriv`` and ``predict_linear``: the least-squares line
through each window's points (``_regression.c``, exact two-pass)."""
import math

import numpy as np

from statsvc.native import import_extension
from statsvc.statistics import Parameter, ParameterError
from statsvc_plugins._ranges import RangeStatistic, range_parameters

_regression = import_extension("statsvc_plugins._regression")

#: Most points summed over all windows of one query: the fit is exact
#: two-pass, O(points) per window, so large windows over many points are
#: refused rather than left to run for minutes (10**9 is about a second).
MAX_WORK = 10 ** 9


def fit_lines(timestamps, values, first, last, horizon):
    """Slopes per second (``horizon`` NaN) or the lines' values
    ``horizon`` seconds after each window's last point."""
    work = int(np.sum(last - first)) + len(last)
    if work > MAX_WORK:
        raise ParameterError("window", f"{work} points over all windows, more"
                                       f" than {MAX_WORK}: narrow the window"
                                       f" or the range read")
    out = np.empty(len(last))
    _regression.fit_lines(
        np.ascontiguousarray(timestamps), np.ascontiguousarray(values),
        first.astype(np.int64), last.astype(np.int64), horizon, out)
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
