"""What the PromQL-style range statistics share: each window as the first
and last index of its points, then one vectorised formula over them."""
import abc
import datetime

import numpy as np

from statsvc.statistics import ParameterError, Series, Statistic, clean
from statsvc_plugins._window import (
    WINDOW_GAPS, check_window_parameters, min_points_parameter, window_ns,
    window_parameter)


def range_parameters(fewest=1):
    """``window`` and ``min_points`` of a statistic needing ``fewest``
    points per window."""
    return (window_parameter(min=fewest), min_points_parameter(min=fewest))


def window_edges(timestamps, window, min_points=1):
    """``(first, last)``: index arrays of the windows that count.

    ``timestamps`` are those of a gap-free series.  A count ``window``
    gives the full windows, ``[i - window + 1, i]``; a duration gives, for
    each point ``i``, the points in ``(t[i] - window, t[i]]``, where there
    are at least ``min_points`` of them.
    """
    last = np.arange(len(timestamps))
    if not isinstance(window, datetime.timedelta) and len(last) < window:
        return last[:0], last[:0]
    if isinstance(window, datetime.timedelta):
        # One binary search per point (numpy's, vectorised): the left
        # edges are where each t - window would go on the right.
        first = np.searchsorted(timestamps, timestamps - window_ns(window),
                                side="right")
        keep = last - first + 1 >= min_points
        return first[keep], last[keep]
    return last[:len(last) - window + 1], last[window - 1:]


class RangeStatistic(Statistic):
    """A statistic of each window's points, as PromQL's ``*_over_time``.

    ``window`` and ``min_points`` as the moving statistics
    (:class:`statsvc_plugins._window.WindowStatistic`): gaps dropped
    first, one result per full count window or per valid point whose
    duration window holds ``min_points`` points (``fewest`` at least),
    stamped with the window's last point.
    """

    #: The fewest points a window needs for a result.
    fewest = 1
    parameters = range_parameters()
    gaps = WINDOW_GAPS

    def check_parameters(self, params):
        return check_window_parameters(params)

    def compute(self, data, window, min_points=None, **params):
        data = clean(data)
        first, last = window_edges(data.timestamps, window,
                                   max(min_points or 1, self.fewest))
        if not len(last):
            return Series(data.timestamps[:0], data.values[:0])
        return Series(data.timestamps[last],
                      self.reduce(data.timestamps, data.values, first, last,
                                  **params))

    @abc.abstractmethod
    def reduce(self, timestamps, values, first, last, **params):
        """The result of each window ``[first[k], last[k]]`` (inclusive
        indices into the gap-free ``timestamps`` and ``values``; each
        window holds at least :attr:`fewest` points)."""


#: Most points visited over all windows of one query by the statistics that
#: visit each window's points anew (O(points) per window): large windows
#: over many points are refused rather than left to run for minutes
#: (10**9 is about a second or two).
MAX_WORK = 10 ** 9


def too_much_work(work=None):
    """The :class:`ParameterError` naming ``window`` for a query whose
    windows hold ``work`` points (None: more than :data:`MAX_WORK`)."""
    counted = f"{work} points" if work is not None else "more points"
    return ParameterError("window", f"{counted} to visit over all windows,"
                                    f" more than {MAX_WORK}: narrow the"
                                    f" window or the range read")


def check_work(first, last):
    """Raise :func:`too_much_work` when the windows ``[first[k],
    last[k]]`` hold more than :data:`MAX_WORK` points."""
    work = int(np.sum(last - first)) + len(last)
    if work > MAX_WORK:
        raise too_much_work(work)


def running_count(flags):
    """``c`` with ``c[j] - c[i]`` the number of true ``flags[i:j]``, of
    length ``len(flags) + 1``: windows count with two lookups."""
    out = np.zeros(len(flags) + 1)
    np.cumsum(flags, out=out[1:])
    return out
