"""What the moving-window plugins share: parameters, gaps, stamping."""
import abc
import datetime

from statsvc.statistics import (
    Parameter, ParameterError, Series, Statistic, as_series, drop_gaps)
from statsvc_plugins import _durations, _kernels

#: Largest window a query may ask for: bounds memory and time per request.
MAX_WINDOW = 10 ** 7
#: Longest duration window: ten years, beyond any retention worth a window
#: (the cost of a duration window is bounded by the points read anyway).
MAX_DURATION = datetime.timedelta(days=3660)
_MICROSECOND = datetime.timedelta(microseconds=1)


def window_parameter(min=1):
    """The ``window`` parameter: a number of points, or a duration."""
    return Parameter("window", int, min=min, max=MAX_WINDOW,
                     max_duration=MAX_DURATION,
                     help="window: a number of points (gaps excluded), or a"
                          " duration with a unit (5min, 300s, 1h30m), the"
                          " valid points in (t - window, t]")


def min_points_parameter(min=1):
    """``min_points``: the fewest points a duration window needs."""
    return Parameter("min_points", int, default=None, min=min,
                     max=MAX_WINDOW,
                     help=f"duration windows only: fewest valid points a"
                          f" window needs to give a result (default {min})")


CENTER = Parameter(
    "center", bool, default=False,
    help="stamp each window with its middle point (the later of the two "
         "middle points for an even window) instead of its last point")


def check_window_parameters(params):
    """``center`` needs a count window, ``min_points`` a duration."""
    if isinstance(params["window"], datetime.timedelta):
        if params.get("center"):
            raise ParameterError("center", "a duration window cannot be"
                                           " centred")
    elif params.get("min_points") is not None:
        raise ParameterError("min_points", "applies to duration windows"
                                           " only (a count window is"
                                           " always full)")
    return params


def window_ns(window):
    """A duration window in integer nanoseconds."""
    return window // _MICROSECOND * 1000


#: How the windowed statistics treat gaps, for ``/v1/capabilities``.
WINDOW_GAPS = ("skipped: a count window holds valid points, a duration"
               " window the valid points in (t - window, t]; no result at a"
               " gap")


class WindowStatistic(Statistic):
    """A statistic of each window of points: a count or a duration.

    A ``window`` count (``window=10``, a bare number) is a run of
    consecutive points:

    Gaps (NaN, and +-inf, which JSON cannot carry) are dropped first, so a
    window is ``window`` *valid* points.  One output point per full window:
    a series shorter than the window gives an empty series, not an error.
    Each result is stamped with the window's last timestamp, or with
    ``center=true`` with the timestamp at index ``(window - 1) // 2`` from
    its end (the middle point; for an even window the later of the two
    middle points, as ``pandas.Series.rolling(center=True)`` labels it).

    A ``window`` duration (``window=5min``, a :class:`datetime.timedelta`)
    holds the valid points in ``(t - window, t]`` for each valid point's
    timestamp ``t``, as ``pandas.Series.rolling('5min')``: one result per
    valid point, stamped ``t``, from the start of the series (where the
    windows hold what points there are).  ``min_points`` drops the results
    of windows holding fewer points (pandas' ``min_periods``, whose NaN
    results JSON could not carry); pandas' results at gaps are not given,
    a gap being no point.  ``center`` is for counts only.
    """

    parameters = (window_parameter(), CENTER, min_points_parameter())
    gaps = WINDOW_GAPS
    unit = "the values' unit"

    def check_parameters(self, params):
        return check_window_parameters(params)

    def compute(self, data, window, center=False, min_points=None,
                **params):
        data = as_series(data)
        if isinstance(window, datetime.timedelta):
            return Series(*self.duration_kernel(
                data.timestamps, data.values, window_ns(window),
                min_points or 1, **params))
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

    @abc.abstractmethod
    def duration_kernel(self, timestamps, values, window_ns, min_points,
                        **params):
        """Return ``(timestamps, values)`` of the duration windows.

        As the kernels of :mod:`statsvc_plugins._durations`: ``values`` may
        have gaps, one result per valid point whose window ``(t -
        window_ns, t]`` holds at least ``min_points`` valid points.
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

    def duration_kernel(self, timestamps, values, window_ns, min_points):
        return _durations.moment(timestamps, values, window_ns, min_points,
                                 self.moment)
