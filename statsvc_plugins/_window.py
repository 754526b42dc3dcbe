"""What the moving-window plugins share: parameters, gaps, stamping."""
import abc

from statsvc.statistics import Parameter, Series, Statistic, clean

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
    window is ``window`` *valid* points.  One output point per full window: a series shorter than the
    window gives an empty series, not an error.  Each result is stamped
    with the window's last timestamp, or with ``center=true`` with the
    timestamp at index ``(window - 1) // 2`` from its end (the middle point;
    for an even window the later of the two middle points, as
    ``pandas.Series.rolling(center=True)`` labels it).
    """

    parameters = (window_parameter(), CENTER)

    def compute(self, data, window, center=False, **params):
        data = clean(data)
        n = len(data.values)
        if n < window:
            return Series(data.timestamps[:0], data.values[:0])
        lag = (window - 1) // 2 if center else 0
        return Series(data.timestamps[window - 1 - lag:n - lag],
                      self.kernel(data.values, window, **params))

    @abc.abstractmethod
    def kernel(self, values, window, **params):
        """Return the ``len(values) - window + 1`` full-window results.

        ``values`` has no gaps and at least ``window`` points.
        """
