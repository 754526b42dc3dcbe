"""Moving percentile."""
import math

import bottleneck as bn
import numpy as np

from statsvc.statistics import Parameter
from statsvc_plugins import _durations, _kernels
from statsvc_plugins._window import (
    CENTER, WindowStatistic, min_points_parameter, window_parameter)


class MovingPercentile(WindowStatistic):
    """The ``q``-th percentile of each window, linearly interpolated.

    As ``numpy.percentile``'s default ("linear") method: with the window
    sorted as ``s``, ``h = q / 100 * (window - 1)``, the result is
    ``s[floor(h)] + (h - floor(h)) * (s[floor(h) + 1] - s[floor(h)])``.
    The moving min and max give ``q=0`` and ``q=100``, bottleneck's moving
    median the median; any other rank takes one pass of two heaps
    (:func:`statsvc_plugins._kernels.move_quantile`).  With a
    duration ``window``, ``window`` in ``h`` is each window's number of
    points: one pass of two heaps whose ranks follow the window's size
    (the moving min and max again for q=0 and 100).
    """

    description = ("Percentile q of each window (of points, or a duration), "
                   "with linear interpolation.")
    parameters = (window_parameter(),
                  Parameter("q", float, min=0.0, max=100.0,
                            help="percentile, between 0 and 100"),
                  CENTER, min_points_parameter())

    def kernel(self, values, window, q):
        h = q / 100 * (window - 1)
        k = math.floor(h)
        fraction = h - k
        if fraction == 0 and k == 0:
            return _kernels.move_extreme(values, window, np.minimum)
        if fraction == 0 and k == window - 1:
            return _kernels.move_extreme(values, window, np.maximum)
        if 2 * h == window - 1:
            return bn.move_median(values, window)[window - 1:]
        return _kernels.move_quantile(values, window, k, fraction)

    def duration_kernel(self, timestamps, values, window_ns, min_points, q):
        return _durations.quantile(timestamps, values, window_ns, min_points,
                                   q / 100)
