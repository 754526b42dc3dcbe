"""Speed and agreement of the smoothing, forecasting and robust statistics
against what their users would run instead: statsmodels and pandas.

Rows (medians of ``--repeat`` runs taken in turns, ours then the peer):

- ``holt-winters`` over the whole series (``window`` = its length) against
  statsmodels' ``Holt`` from PromQL's start (level x0, trend x1 - x0,
  fixed factors, ``optimized=False``) on the points after the first; and
  per 10-point window on a 2,000-point series against a loop of that
  ``Holt`` fit per window (what a statsmodels user has);
- ``holt-winters-seasonal`` with its factors given, against
  ``ExponentialSmoothing(trend="add", seasonal="add",
  initialization_method="heuristic").fit(..., optimized=False).forecast``
  over one season less a point (statsmodels up to 0.15.0 uses a stale
  seasonal component at whole seasons ahead, its issue 9538);
  and with them fitted (our grid) against statsmodels' default ``fit()``
  (its optimiser, which also fits the initial state: ``diff`` there is
  between two different fits, not an error);
- ``mad-outliers`` against pandas' ``rolling(w).apply`` of the same flag
  (raw numpy arrays, ``np.median``), count and duration windows;
- ``stl-residual`` against statsmodels' ``STL(...).fit().resid`` called
  directly: the plugin's overhead.

Series: 10 + N(0, 1) noise around 1e4 plus a daily shape of 24 points
(amplitude 10) and a slow trend, one point a second; the duration rows use
exponential steps of 1 s on average.  ``abs diff`` is the largest
difference from the peer's result, ``rel diff`` that over the largest
magnitude of the peer's result.

Usage: python bench/statistics_models.py [--repeat 5] [--only NAME,...]
"""
import argparse
import platform
import time
import warnings

import numpy as np
import pandas as pd
import statsmodels
from statsmodels.tsa.holtwinters import ExponentialSmoothing, Holt
from statsmodels.tsa.seasonal import STL

from statsvc.statistics import Series
from timing import medians_ms
from statsvc_plugins import (
    holt_winters, holt_winters_seasonal, mad_outliers, stl)

SEASON = 24
SF, TF = 0.3, 0.1
FACTORS = {"alpha": 0.3, "beta": 0.05, "gamma": 0.2}


def _series(n, seed=0, irregular=False):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    values = (1e4 + 1e-3 * t + 10 * np.sin(2 * np.pi * t / SEASON)
              + rng.standard_normal(n))
    steps = rng.exponential(1.0, n) if irregular else np.ones(n)
    stamps = (np.cumsum(steps) * 1e9).astype(np.int64) + 1_700_000_000 * 10 ** 9
    return stamps, values


def _ours(plugin, data, **query):
    params = plugin.validate({k: str(v) for k, v in query.items()})
    return lambda: plugin.compute(Series(*data), **params).values


def _holt_level(y):
    fit = Holt(y[1:], initialization_method="known", initial_level=y[0],
               initial_trend=y[1] - y[0]).fit(
        smoothing_level=SF, smoothing_trend=TF, optimized=False)
    return fit.level[-1]


def _holt_windows(y, w):
    return np.array([_holt_level(y[i - w + 1:i + 1])
                     for i in range(w - 1, len(y))])


def _exponential_smoothing(y, horizon, **factors):
    model = ExponentialSmoothing(y, trend="add", seasonal="add",
                                 seasonal_periods=SEASON,
                                 initialization_method="heuristic")
    if factors:
        fit = model.fit(smoothing_level=factors["alpha"],
                        smoothing_trend=factors["beta"],
                        smoothing_seasonal=factors["gamma"],
                        optimized=False)
    else:
        fit = model.fit()
    return fit.forecast(horizon)


def _mad_flag(threshold):
    def flag(a):
        middle = np.median(a)
        return float(abs(a[-1] - middle)
                     > threshold * 1.4826 * np.median(np.abs(a - middle)))
    return flag


def _pandas_mad(stamps, values, w):
    index = pd.DatetimeIndex(stamps) if isinstance(w, str) else None
    s = pd.Series(values, index=index)
    return s.rolling(w).apply(_mad_flag(3.0), raw=True)


def _rows(only):
    """(name, n, w, ours, peer, comparable): ``comparable`` masks the
    peer's results to compare (None: all)."""
    rows = []
    for n in (10 ** 5, 10 ** 6):
        data = _series(n)
        rows.append(("holt-winters", n, "all", _ours(
            holt_winters.HoltWinters(), data, window=n, sf=SF, tf=TF),
            lambda y=data[1]: np.array([_holt_level(y)])))
    data = _series(2000)
    rows.append(("holt-winters", 2000, 10, _ours(
        holt_winters.HoltWinters(), data, window=10, sf=SF, tf=TF),
        lambda y=data[1]: _holt_windows(y, 10)))
    for n in (10 ** 4, 10 ** 5):
        data = _series(n)
        rows.append(("hw-seasonal given", n, SEASON, _ours(
            holt_winters_seasonal.HoltWintersSeasonal(), data,
            season=SEASON, horizon=SEASON - 1, **FACTORS),
            lambda y=data[1]: _exponential_smoothing(y, SEASON - 1,
                                                     **FACTORS)))
    data = _series(10 ** 4)
    rows.append(("hw-seasonal fitted", 10 ** 4, SEASON, _ours(
        holt_winters_seasonal.HoltWintersSeasonal(), data, season=SEASON,
        horizon=SEASON), lambda y=data[1]: _exponential_smoothing(y, SEASON)))
    for n, w in ((10 ** 4, 10), (10 ** 4, 100), (10 ** 5, 10)):
        data = _series(n)
        rows.append(("mad-outliers", n, w, _ours(
            mad_outliers.MadOutliers(), data, window=w),
            lambda d=data, w=w: _pandas_mad(*d, w)))
    for n, w in ((10 ** 4, "10s"), (10 ** 4, "100s")):
        data = _series(n, irregular=True)
        rows.append(("mad-outliers", n, w, _ours(
            mad_outliers.MadOutliers(), data, window=w),
            lambda d=data, w=w: _pandas_mad(*d, w)))
    for n in (10 ** 4, 10 ** 5):
        data = _series(n)
        rows.append(("stl-residual", n, SEASON, _ours(
            stl.StlResidual(), data, period=SEASON),
            lambda y=data[1]: STL(y, period=SEASON).fit().resid))
    return [row for row in rows
            if not only or row[0].split()[0] in only.split(",")]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", help="comma-separated statistic names")
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # statsmodels' convergence chatter
    print(f"# {platform.processor() or platform.machine()}, "
          f"{platform.python_version()}, numpy {np.__version__}, "
          f"pandas {pd.__version__}, statsmodels {statsmodels.__version__}, "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"{'statistic':18} {'n':>8} {'w':>5} {'ours ms':>9} {'peer ms':>9}"
          f" {'ours/peer':>9} {'abs diff':>9} {'rel diff':>9}")
    for name, n, w, ours, peer in _rows(args.only):
        out, want = ours(), np.asarray(peer(), dtype=float)
        want = want[~np.isnan(want)]
        if name == "holt-winters" and w == "all":
            out = out[-1:]
        largest = np.max(np.abs(out - want)) if len(out) == len(want) \
            else float("nan")
        ours_ms, peer_ms = medians_ms([ours, peer],
                                      args.repeat if n <= 10 ** 5
                                      or name != "mad-outliers" else 1)
        relative = largest / np.max(np.abs(want)) if largest else 0.0
        print(f"{name:18} {n:>8} {w:>5} {ours_ms:9.2f} {peer_ms:9.2f}"
              f" {ours_ms / peer_ms:9.4f} {largest:9.1e} {relative:9.1e}",
              flush=True)


if __name__ == "__main__":
    main()
