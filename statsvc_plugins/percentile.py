"""Moving percentile."""
import math

import numpy as np

from statsvc.statistics import Parameter
from statsvc_plugins import _kernels
from statsvc_plugins._window import CENTER, WindowStatistic, window_parameter

#: Largest window sorted rather than run through sorted blocks: the two
#: take the same time around 48-96 points (10**5-10**6 points, AVX-512 sort).
SORT_MAX_WINDOW = 64

#: Measured costs (10**6 points, w = 200-5000) that choose between
#: :func:`~statsvc_plugins._kernels.move_quantile_by_blocks`, about
#: ``BLOCK_STEP_NS * w + BLOCK_POINT_NS * n``, and moving medians, about
#: ``MEDIAN_POINT_NS * n`` per pass over a series padded to
#: ``n * (1 + |2q/100 - 1|)`` points.
BLOCK_STEP_NS = 50_000
BLOCK_POINT_NS = 65
MEDIAN_POINT_NS = 60


class MovingPercentile(WindowStatistic):
    """The ``q``-th percentile of each window, linearly interpolated.

    As ``numpy.percentile``'s default ("linear") method: with the window
    sorted as ``s``, ``h = q / 100 * (window - 1)``, the result is
    ``s[floor(h)] + (h - floor(h)) * (s[floor(h) + 1] - s[floor(h)])``.
    ``q=0`` and ``q=100`` are the moving min and max, the median is
    bottleneck's moving median.  Otherwise windows up to
    :data:`SORT_MAX_WINDOW` points are sorted (numpy, vectorised over
    windows); longer ones use whichever is estimated faster of sorted
    blocks (:func:`statsvc_plugins._kernels.move_quantile_by_blocks`,
    best when there are many windows per point of window) and bottleneck's
    moving median on a padded series: one pass if the fraction of ``h`` is
    0 or 1/2, else two (see
    :func:`statsvc_plugins._kernels.move_order_statistic`).
    """

    description = ("Percentile q of each window of consecutive points, "
                   "with linear interpolation.")
    parameters = (window_parameter(),
                  Parameter("q", float, min=0.0, max=100.0,
                            help="percentile, between 0 and 100"),
                  CENTER)

    def kernel(self, values, window, q):
        h = q / 100 * (window - 1)
        k = math.floor(h)
        fraction = h - k
        if fraction == 0 and k == 0:
            return _kernels.move_extreme(values, window, np.minimum)
        if fraction == 0 and k == window - 1:
            return _kernels.move_extreme(values, window, np.maximum)
        if 2 * h == window - 1:
            return _kernels.move_order_statistic(values, window, k,
                                                 pair=fraction != 0)
        if window <= SORT_MAX_WINDOW:
            return _kernels.move_quantile_by_sorting(values, window, k,
                                                     fraction)
        passes = 1 if fraction in (0, 0.5) else 2
        median_ns = (passes * MEDIAN_POINT_NS * len(values)
                     * (1 + abs(2 * q / 100 - 1)))
        if BLOCK_STEP_NS * window + BLOCK_POINT_NS * len(values) < median_ns:
            return _kernels.move_quantile_by_blocks(values, window, k,
                                                    fraction)
        if fraction == 0.5:
            return _kernels.move_order_statistic(values, window, k, pair=True)
        low = _kernels.move_order_statistic(values, window, k)
        if fraction == 0:
            return low
        middle = _kernels.move_order_statistic(values, window, k, pair=True)
        # The (k+1)-th smallest is 2 * middle - low.
        return low + (2 * fraction) * (middle - low)
