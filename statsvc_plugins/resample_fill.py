"""Values on a regular grid, filled forward or linearly interpolated."""
import datetime

import numpy as np

from statsvc.statistics import (
    REQUIRED, Parameter, ParameterError, Series, Statistic, clean)
from statsvc_plugins._window import MAX_DURATION, window_ns

#: Most grid points one query may ask for: bounds memory and time.
MAX_GRID = 10 ** 7


def _duration(name, help, default=None):
    """A duration parameter, a bare number counting seconds."""
    return Parameter(name, int, default=default, min=1,
                     max=int(MAX_DURATION.total_seconds()),
                     max_duration=MAX_DURATION, help=help)


class ResampleFill(Statistic):
    """The series on the grid of multiples of ``step`` (since the epoch)
    from its first point to its last.

    ``method=ffill`` gives each grid time the last value at or before it;
    ``method=linear`` the straight line between the points around it (the
    value itself at a point's time), as pandas' ``interpolate('time')``.
    Gaps are dropped first: a gap is filled over like any missing time.
    ``max_gap`` leaves out the grid times whose last point is older than
    that (ffill), or whose two surrounding points are farther apart
    (linear): PromQL's lookback delta, pandas' ``limit`` in time.
    """

    description = ("The series on a regular grid of step, filled forward or "
                   "linearly interpolated.")
    unit = "the values' unit"
    gaps = ("dropped first and filled over like missing times; max_gap "
            "bounds how far")
    parameters = (
        _duration("step", "grid step: a duration (1min, 10s) or seconds",
                  default=REQUIRED),
        Parameter("method", str, default="ffill", choices=("ffill", "linear"),
                  help="ffill: last value at or before; linear: "
                       "interpolated in time"),
        _duration("max_gap", "leave out grid times farther than this from "
                             "the points that fill them (default: no limit)"),
    )

    def check_parameters(self, params):
        for name in ("step", "max_gap"):
            if isinstance(params[name], int):
                params[name] = datetime.timedelta(seconds=params[name])
        return params

    def compute(self, data, step, method, max_gap):
        t, x = clean(data)
        if not len(t):
            return Series(t, x)
        step = window_ns(step)
        start = -(-t[0] // step) * step
        count = (t[-1] // step * step - start) // step + 1
        if count > MAX_GRID:
            raise ParameterError("step", f"makes {count} grid points over"
                                         f" this series, more than {MAX_GRID}")
        grid = start + step * np.arange(max(count, 0), dtype=np.int64)
        before = np.searchsorted(t, grid, side="right") - 1
        if method == "ffill":
            values, span = x[before], grid - t[before]
        else:
            after = np.minimum(before + 1, len(t) - 1)
            span = t[after] - t[before]
            on_point = grid == t[before]
            with np.errstate(invalid="ignore"):
                fraction = (grid - t[before]) / span
            values = np.where(on_point, x[before], x[before] + fraction
                              * (x[after] - x[before]))
            span[on_point] = 0
        if max_gap is not None:
            keep = span <= window_ns(max_gap)
            grid, values = grid[keep], values[keep]
        return Series(grid, values)
