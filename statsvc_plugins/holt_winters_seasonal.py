"""Additive Holt-Winters (level, trend, season): a forecast ``horizon``
points past the series, as statsmodels' ExponentialSmoothing(trend="add",
seasonal="add") with its heuristic initialisation."""
import itertools

import numpy as np

from statsvc.native import import_extension
from statsvc.statistics import Parameter, ParameterError, Series, Statistic, clean
from statsvc_plugins._ranges import MAX_WORK

_smoothing = import_extension("statsvc_plugins._smoothing")

#: Longest season and forecast, in points: bound memory and time.
MAX_SEASON = 10 ** 5
MAX_HORIZON = 10 ** 5
#: Candidates of a factor left to the fit: a coarse grid, then a finer
#: one around the best coarse value (deterministic, no optimiser library).
COARSE = np.arange(0.05, 1.0, 0.1)
FINE = np.arange(-0.04, 0.045, 0.01)
FACTORS = ("alpha", "beta", "gamma")


def fewest_points(season):
    """Points the heuristic initialisation needs: two seasons, and ten
    seasonally adjusted points once half a season is lost at each end."""
    return max(2 * season, 10 + 2 * (season // 2))


def initial_state(values, season):
    """``[level, trend, s_0 .. s_{m-1}]`` by statsmodels' "heuristic"
    initialisation (Hyndman and Athanasopoulos, section 2.6, as
    ``statsmodels.tsa.exponential_smoothing.initialization``): a centred
    moving average of the first cycles (at most 5) is the trend, the mean
    detrended value of each season position (centred on 0) the seasonal
    components, and a line through the first 10 trend points the level
    and trend one step before the first point."""
    m = season
    cycles = max(min(5, len(values) // m), -(-(10 + 2 * (m // 2)) // m))
    head = values[:m * cycles]
    sums = np.concatenate(([0.0], np.cumsum(head)))
    # Each m-point mean labelled with its point m // 2 (pandas' centring).
    centred = np.full(len(head), np.nan)
    centred[m // 2:m // 2 + len(head) - m + 1] = (sums[m:] - sums[:-m]) / m
    if m % 2 == 0:
        centred[:-1] = (centred[:-1] + centred[1:]) / 2
        centred[-1] = np.nan
    detrended = np.full(cycles * m, np.nan)
    detrended[:len(head)] = head - centred
    with np.errstate(invalid="ignore"):
        seasonal = np.nanmean(detrended.reshape(cycles, m), axis=0)
    seasonal -= seasonal.mean()
    trend = centred[np.isfinite(centred)][:10]
    line = np.linalg.pinv(np.c_[np.ones(10), np.arange(10) + 1.0]) @ trend
    return np.concatenate((line, seasonal))


def smooth(values, start, alpha, beta, gamma):
    """``(sse, state)``: the one-step-ahead squared errors and the state
    after the last point."""
    state = start.copy()
    return _smoothing.additive(values, alpha, beta, gamma, state), state


def fit(values, start, given):
    """The factors: those ``given`` (None for the others), each other
    one the grid value with the least one-step-ahead squared error."""
    free = [name for name in FACTORS if given[name] is None]
    best = dict(given)
    for grid in (COARSE, FINE):
        centre = dict(best)
        candidates = [np.clip(grid + (centre[name] if grid is FINE else 0),
                              0.01, 0.99) for name in free]
        least = None
        for trial in itertools.product(*candidates):
            factors = dict(centre, **dict(zip(free, trial)))
            sse = smooth(values, start, *(factors[f] for f in FACTORS))[0]
            if least is None or sse < least:
                least, best = sse, factors
    return best


def fit_work(points, free):
    """Points visited to fit ``free`` factors."""
    return points * (len(COARSE) ** free + len(FINE) ** free) if free else 0


class HoltWintersSeasonal(Statistic):
    """Additive Holt-Winters forecast of the ``horizon`` points after the
    series.

    ``level + h * trend + season`` for ``h = 1 .. horizon``, the seasonal
    component of the same position in the last season (Hyndman's
    formula).  Initial state: statsmodels' ``initialization_method=
    "heuristic"``.  With ``alpha``, ``beta`` and ``gamma`` given the
    forecast agrees with statsmodels' ExponentialSmoothing(trend="add",
    seasonal="add", seasonal_periods=season) fitted with them and
    ``optimized=False`` (tests: 1e-9); a factor not given is chosen on a
    grid (0.05 to 0.95 by 0.1, then by 0.01 around the best) for the
    least one-step-ahead squared error.  Gaps are dropped: a season is a
    number of valid points, so resample a series with gaps first.
    """

    description = ("Additive Holt-Winters (level, trend, season) forecast "
                   "of the horizon points after the series.")
    unit = "the values' unit"
    gaps = ("dropped first: a season counts valid points (resample first); "
            "no result for fewer than max(2 season, 10 + 2 (season // 2)) "
            "points")
    parameters = (
        Parameter("season", int, min=2, max=MAX_SEASON,
                  help="season length in points"),
        Parameter("horizon", int, min=1, max=MAX_HORIZON,
                  help="points forecast after the last one, stamped at the"
                       " series' median step"),
        Parameter("alpha", float, default=None, min=0.0, max=1.0,
                  help="level smoothing factor; fitted if absent"),
        Parameter("beta", float, default=None, min=0.0, max=1.0,
                  help="trend smoothing factor; fitted if absent"),
        Parameter("gamma", float, default=None, min=0.0, max=1.0,
                  help="seasonal smoothing factor; fitted if absent"),
    )

    def compute(self, data, season, horizon, alpha=None, beta=None,
                gamma=None):
        data = clean(data)
        values, stamps = data.values, data.timestamps
        if len(values) < fewest_points(season):
            return Series(stamps[:0], values[:0])
        given = {"alpha": alpha, "beta": beta, "gamma": gamma}
        free = [name for name in FACTORS if given[name] is None]
        if fit_work(len(values), len(free)) > MAX_WORK:
            raise ParameterError(free[0], f"fitting {', '.join(free)} over"
                                          f" {len(values)} points is too"
                                          f" much work: give them")
        values = np.ascontiguousarray(values)
        start = initial_state(values, season)
        factors = fit(values, start, given) if free else given
        _, state = smooth(values, start, *(factors[f] for f in FACTORS))
        level, trend, ring = state[0], state[1], state[2:]
        ahead = np.arange(1, horizon + 1)
        forecast = (level + ahead * trend
                    + ring[(len(values) + ahead - 1) % season])
        step = int(np.median(np.diff(stamps)))
        return Series(stamps[-1] + ahead * step, forecast)
