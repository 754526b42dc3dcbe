"""PromQL's ``*_over_time`` functions that the moving statistics lack:
count, changes, resets and stdvar of each window.

Windows are counts of valid points or durations, as the moving
statistics' (:mod:`statsvc_plugins._ranges`).
"""
import numpy as np

from statsvc_plugins._ranges import RangeStatistic, running_count
from statsvc_plugins._window import (
    MomentStatistic, min_points_parameter, window_parameter)


class CountOverTime(RangeStatistic):
    """Number of valid points in each window (``count_over_time``).

    With a count window it is the window itself wherever the window is
    full; it is meant for duration windows.
    """

    description = "Number of valid points in each window."
    unit = "points"

    def reduce(self, timestamps, values, first, last):
        return (last - first + 1).astype(np.float64)


class Changes(RangeStatistic):
    """Times the value changed between consecutive points of each window
    (``changes``): pairs whose both points are in the window."""

    description = ("Number of times the value changed from one point to the "
                   "next within each window.")
    unit = "changes (a count)"

    def reduce(self, timestamps, values, first, last):
        changed = running_count(values[1:] != values[:-1])
        return changed[last] - changed[first]


class Resets(RangeStatistic):
    """Counter resets in each window (``resets``): pairs of consecutive
    points in the window where the value decreased."""

    description = ("Number of counter resets (a value below the previous "
                   "one) within each window.")
    unit = "resets (a count)"

    def reduce(self, timestamps, values, first, last):
        fell = running_count(values[1:] < values[:-1])
        return fell[last] - fell[first]


class StdvarOverTime(MomentStatistic):
    """Population variance (ddof=0) of each window (``stdvar_over_time``).

    The moving std's kernels (``_moments.c`` for counts,
    ``_duration_kernels.c`` for durations), divided by ``n`` instead of
    ``n - 1`` and not square-rooted: as accurate as they are.  Unlike
    PromQL, which gives 0 for a window of one point, windows need 2.
    """

    description = "Population variance (ddof=0) of each window."
    unit = "the values' unit, squared"
    parameters = (window_parameter(min=2), min_points_parameter(min=2))
    moment = "var"
