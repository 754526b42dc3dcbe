"""PromQL's ``holt_winters``: double exponential smoothing of each
window's points (``_smoothing.c``, Prometheus' loop transcribed)."""
import numpy as np

from statsvc.native import import_extension
from statsvc.statistics import Parameter, ParameterError
from statsvc_plugins._ranges import RangeStatistic, check_work, range_parameters

_smoothing = import_extension("statsvc_plugins._smoothing")


def factor_parameter(name, what):
    """A smoothing factor, strictly between 0 and 1 (PromQL's rule)."""
    return Parameter(name, float, min=0.0, max=1.0,
                     help=f"{what}, strictly between 0 and 1")


def check_open_unit(params, *names):
    """Refuse 0 and 1 for the factors ``names``: PromQL's ``0 < f < 1``."""
    for name in names:
        if params[name] is not None and params[name] in (0.0, 1.0):
            raise ParameterError(name, "must be strictly between 0 and 1")
    return params


class HoltWinters(RangeStatistic):
    """PromQL's ``holt_winters(v[window], sf, tf)`` at each point.

    Over each window's points ``x0 .. xk``: the smoothed value starts at
    ``x0`` and the trend at ``x1 - x0``; each later point updates the trend
    (from the second update on) to ``tf * (s1 - s0) + (1 - tf) * trend``
    and the value to ``sf * x + (1 - sf) * (s1 + trend)``; the result is
    the last smoothed value, stamped with the window's last point.  As
    PromQL evaluates a range at every step, this evaluates it at every
    point, over a count or a duration window (a window as long as the
    range read smooths the whole series).
    """

    description = ("Double exponential smoothing of each window's points "
                   "(PromQL's holt_winters): the last smoothed value.")
    unit = "the values' unit"
    fewest = 2
    parameters = range_parameters(fewest) + (
        factor_parameter("sf", "smoothing factor: weight of the newest "
                               "value"),
        factor_parameter("tf", "trend factor: weight of the newest trend"),
    )

    def check_parameters(self, params):
        return check_open_unit(super().check_parameters(params), "sf", "tf")

    def reduce(self, timestamps, values, first, last, sf, tf):
        check_work(first, last)
        out = np.empty(len(last))
        _smoothing.holt_winters(np.ascontiguousarray(values),
                                first.astype(np.int64), last.astype(np.int64),
                                sf, tf, out)
        return out
