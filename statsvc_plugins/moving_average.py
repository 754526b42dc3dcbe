"""Moving-window aggregates: average, sum, median, min, max, std.

(The module keeps the name under which ``moving-average`` was first
registered.)  Windows are counts of valid points or durations; see
:class:`statsvc_plugins._window.WindowStatistic` for gaps and stamping.
"""
import bottleneck as bn
import numpy as np

from statsvc_plugins import _durations, _kernels
from statsvc_plugins._window import (
    CENTER, MomentStatistic, WindowStatistic, min_points_parameter,
    window_parameter)


class MovingAverage(MomentStatistic):
    """Arithmetic mean of each window."""

    description = "Mean of each window (of points, or a duration)."
    moment = "mean"


class MovingSum(MomentStatistic):
    """Sum of each window."""

    description = "Sum of each window (of points, or a duration)."
    moment = "sum"


class MovingMedian(WindowStatistic):
    """Median of each window (mean of the two middle values if even)."""

    description = "Median of each window (of points, or a duration)."

    def kernel(self, values, window):
        return bn.move_median(values, window)[window - 1:]

    def duration_kernel(self, timestamps, values, window_ns, min_points):
        return _durations.quantile(timestamps, values, window_ns, min_points,
                                   0.5)


class MovingMin(WindowStatistic):
    """Minimum of each window."""

    description = "Minimum of each window (of points, or a duration)."

    def kernel(self, values, window):
        return _kernels.move_extreme(values, window, np.minimum)

    def duration_kernel(self, timestamps, values, window_ns, min_points):
        return _durations.quantile(timestamps, values, window_ns, min_points,
                                   0.0)


class MovingMax(WindowStatistic):
    """Maximum of each window."""

    description = "Maximum of each window (of points, or a duration)."

    def kernel(self, values, window):
        return _kernels.move_extreme(values, window, np.maximum)

    def duration_kernel(self, timestamps, values, window_ns, min_points):
        return _durations.quantile(timestamps, values, window_ns, min_points,
                                   1.0)


class MovingStd(MomentStatistic):
    """Sample standard deviation (ddof=1) of each window.

    A window of equal values gives exactly 0; accuracy otherwise is
    described in :func:`statsvc_plugins._kernels.move_moment` (in short:
    far better than pandas', and exact to rounding for windows of 2 or 3).
    """

    description = ("Sample standard deviation (ddof=1) of each window of "
                   "consecutive points.")
    parameters = (window_parameter(min=2), CENTER, min_points_parameter(min=2))
    moment = "std"
