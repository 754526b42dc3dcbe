"""What the moving-window plugins share: parameters, gaps, stamping."""
import abc

from statsvc.statistics import Parameter, Series, Statistic, as_series, drop_gaps
from statsvc_plugins import _kernels

#: Largest window a query may ask for: bounds memory and time per request.
MAX_WINDOW = 10 ** 7


def window_parameter(min=1):
    """The ``window`` parameter: a number of points, bounded."""
    return Parameter("window", int, min=min, max=MAX_WINDOW,
                     help="window length, in points (gaps excluded)")


CENTER = Parameter(
    "center", bool, default=False,
    help="stamp each window with its middle point (the later of the two "
         "middle points for an even window) instead of its last point")


class WindowStatistic(Statistic):
    """A statistic of each run of ``window`` consecutive points.

    Gaps (NaN, and +-inf, which JSON cannot carry) are dropped first, so a
    window is ``window`` *valid* points.  One output point per full window:
    a series shorter than the window gives an empty series, not an error.
    Each result is stamped with the window's last timestamp, or with
    ``center=true`` with the timestamp at index ``(window - 1) // 2`` from
    its end (the middle point; for an even window the later of the two
    middle points, as ``pandas.Series.rolling(center=True)`` labels it).
    """

    parameters = (window_parameter(), CENTER)

    def compute(self, data, window, center=False, **params):
        data = as_series(data)
        out = None
        if len(data.values) >= window:
            out = self.kernel_unless_gaps(data.values, window, **params)
        if out is None:
            data = drop_gaps(data)
            if len(data.values) < window:
                return Series(data.timestamps[:0], data.values[:0])
            out = self.kernel(data.values, window, **params)
        n = len(data.values)
        lag = (window - 1) // 2 if center else 0
        return Series(data.timestamps[window - 1 - lag:n - lag], out)

    def kernel_unless_gaps(self, values, window, **params):
        """:meth:`kernel` of ``values`` that may have gaps, or None if they have.

        None by default: :meth:`compute` then drops the gaps (a pass over
        the values to find none, usually) and calls :meth:`kernel`.  A
        kernel that notices non-finite values as it goes saves that pass.
        """
        return None

    @abc.abstractmethod
    def kernel(self, values, window, **params):
        """Return the ``len(values) - window + 1`` full-window results.

        ``values`` has no gaps and at least ``window`` points.
        """


class MomentStatistic(WindowStatistic):
    """A windowed sum, mean, std or z-score: one C pass that finds gaps too.

    ``moment`` is one of :data:`statsvc_plugins._kernels.MOMENTS`.
    """

    moment = None

    def kernel(self, values, window):
        return _kernels.move_moment(values, window, self.moment)

    def kernel_unless_gaps(self, values, window):
        return _kernels.move_moment(values, window, self.moment,
                                    stop_at_gap=True)
