"""A robust outlier flag: each window's last point against the window's
median and median absolute deviation (``_robust.c``)."""
import numpy as np

from statsvc.native import import_extension
from statsvc.statistics import Parameter
from statsvc_plugins._ranges import RangeStatistic, check_work, range_parameters

_robust = import_extension("statsvc_plugins._robust")

#: Makes the MAD estimate the standard deviation of normal data
#: (1 / the normal distribution's 0.75 quantile).
SCALE = 1.4826


class MadOutliers(RangeStatistic):
    """1 where a window's last point lies more than ``threshold`` robust
    standard deviations from the window's median, else 0.

    The robust standard deviation is ``1.4826 * MAD``, MAD the median of
    the window's absolute deviations from its median (medians of an even
    count: the mean of the two middle values).  A flag rather than the
    score ``|x - median| / (1.4826 MAD)``: that score is infinite wherever
    more than half of a window is one value (MAD 0), which JSON cannot
    carry, while the flag is defined there (any other value is flagged).
    Stamped with the window's last point, as ``zscore``.
    """

    description = ("1 where each window's last point is more than threshold "
                   "x 1.4826 x MAD from the window's median, else 0.")
    unit = "none (1 or 0)"
    fewest = 1
    parameters = range_parameters() + (
        Parameter("threshold", float, default=3.0, min=0.0, max=1e6,
                  help="robust standard deviations (1.4826 x MAD) beyond"
                       " which a point is an outlier"),
    )

    def reduce(self, timestamps, values, first, last, threshold):
        check_work(first, last)
        median, mad = np.empty(len(last)), np.empty(len(last))
        _robust.median_deviations(np.ascontiguousarray(values),
                                  first.astype(np.int64),
                                  last.astype(np.int64), median, mad)
        distance = np.abs(values[last] - median)
        return (distance > threshold * SCALE * mad).astype(np.float64)
