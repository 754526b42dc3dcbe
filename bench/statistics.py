"""Speed and agreement of the first-party statistics against pandas and bottleneck.

For every plugin, on metric-like series (10 + N(0, 1) noise on 1e4, 1 s
apart) of 10**5 and 10**6 points (and 10**7 with ``--large``) and windows of
10 and 1000 points, then duration windows of 10 s and 1000 s on irregular
series with gaps (pandas' time-based ``rolling``): the median time of ``compute`` (after ``validate``, as
the API calls them), of the pandas equivalent and of the raw kernel
(bottleneck's ``move_*`` or numpy; compositions of them for zscore; for
percentile q=90, scipy's ``ndimage.rank_filter`` run for both ranks), the
ratios ours/pandas and ours/fastest reference, and the largest difference
from pandas' result (``abs diff``) and it relative to the largest magnitude
of that result (``rel diff``).  ``ewma`` uses
``span`` = the window.  The PromQL-style rows compare with what a pandas
user writes: rolling count / var(ddof=0), rolling sums of diff flags for
changes and resets, a diff with resets for irate, and for increase the
rolling span of the reset-corrected counter (no extrapolation, so its
``diff`` columns measure PromQL's extrapolation, not an error); deriv's
is pandas' rolling covariance of values and seconds over the seconds'
rolling variance.  pandas and the raw kernels are benchmark-only
references.

(This file shadows the stdlib ``statistics`` module when run as a script:
it does not import it.)

Usage: python bench/statistics.py [--large] [--repeat 5] [--only NAME,...]
       [--windows count|duration|both] [--steps irregular|regular]
"""
import argparse
import platform
import time

import bottleneck as bn
import numpy as np
import pandas as pd
import scipy
from scipy import ndimage

from statsvc.statistics import Series
from timing import medians_ms
from statsvc_plugins import (
    counters, differences, ewma, moving_average, over_time, percentile,
    regression, resample_fill, zscore)


def _case(plugin, query, pandas_ref, kernel=None, windowed=True):
    return dict(plugin=plugin, query=query, pandas=pandas_ref, kernel=kernel,
                windowed=windowed)


def _zscore_kernel(x, w):
    return (x - bn.move_mean(x, w)) / bn.move_std(x, w, ddof=1)


def _pairs_where(s, w, test):
    """Consecutive pairs of each count window ``w`` that pass ``test``
    (of the differences): pandas' rolling sum over the flags, the first
    flag (no pair) unknown."""
    flags = test(s.diff()).astype(float)
    flags.iloc[0] = np.nan
    return flags.rolling(w - 1).sum()


def _pandas_irate(s, t):
    """Last two points' rate, the last value after a reset, per second."""
    change = s.diff()
    change = change.where(change >= 0, s)
    return change / (pd.Series(t, index=s.index).diff() * 1e-9)


def _pandas_increase(s, w):
    """What pandas gives without PromQL's extrapolation: the rolling span
    of the counter with the resets added back."""
    lost = s.shift().where(s.diff() < 0, 0.0).cumsum()
    r = (s + lost).rolling(w)
    return r.max() - r.min()


def _pandas_deriv(s, t, w):
    """What a pandas user writes for a least-squares slope per window:
    the rolling covariance of values and seconds over the seconds'
    variance (seconds from the first point, to keep them small)."""
    seconds = pd.Series((t - t[0]) * 1e-9, index=s.index)
    return s.rolling(w).cov(seconds) / seconds.rolling(w).var()


def _grid(t, step):
    """The multiples of ``step`` from ``t[0]`` to ``t[-1]``, as pandas'."""
    return pd.date_range(pd.Timestamp(t[0]).ceil(step),
                         pd.Timestamp(t[-1]).floor(step), freq=step)


def _pandas_linear(s, grid):
    """pandas' interpolation in time onto ``grid``."""
    return s.reindex(s.index.union(grid)).interpolate("time").reindex(grid)


def _rank_filter_quantile(x, w, q):
    """scipy's O(n log w) rank filter, once per rank of the interpolation."""
    h = q * (w - 1)
    k = int(h)
    low = ndimage.rank_filter(x, k, size=w, mode="nearest")
    high = ndimage.rank_filter(x, k + 1, size=w, mode="nearest")
    return (low + (h - k) * (high - low))[w // 2:w // 2 + len(x) - w + 1]


def _cases(w):
    """name -> case, for window ``w``; references take (pandas series, array, ts)."""
    cases = {}
    for name, cls, method, kernel, kwargs in [
            ("moving-average", moving_average.MovingAverage, "mean",
             bn.move_mean, {}),
            ("moving-sum", moving_average.MovingSum, "sum", bn.move_sum, {}),
            ("moving-median", moving_average.MovingMedian, "median",
             bn.move_median, {}),
            ("moving-min", moving_average.MovingMin, "min", bn.move_min, {}),
            ("moving-max", moving_average.MovingMax, "max", bn.move_max, {}),
            ("moving-std", moving_average.MovingStd, "std", bn.move_std,
             {"ddof": 1})]:
        cases[name] = _case(
            cls(), {"window": w},
            lambda s, x, t, method=method: getattr(s.rolling(w), method)(),
            lambda x, t, kernel=kernel, kwargs=kwargs: kernel(x, w, **kwargs))
    cases.update({
        "percentile q=90": _case(percentile.MovingPercentile(),
                                 {"window": w, "q": 90},
                                 lambda s, x, t: s.rolling(w).quantile(0.9),
                                 lambda x, t: _rank_filter_quantile(x, w,
                                                                    0.9)),
        "percentile q=50": _case(percentile.MovingPercentile(),
                                 {"window": w, "q": 50},
                                 lambda s, x, t: s.rolling(w).quantile(0.5),
                                 lambda x, t: bn.move_median(x, w)),
        "zscore": _case(zscore.ZScore(), {"window": w},
                        lambda s, x, t: (s - s.rolling(w).mean())
                        / s.rolling(w).std(),
                        lambda x, t: _zscore_kernel(x, w)),
        "ewma": _case(ewma.Ewma(), {"span": w},
                      lambda s, x, t: s.ewm(span=w).mean(), windowed=False),
        "delta": _case(differences.Delta(), {},
                       lambda s, x, t: s.diff(), lambda x, t: np.diff(x),
                       windowed=False),
        "rate": _case(differences.Rate(), {},
                      lambda s, x, t: s.diff() / (pd.Series(t).diff() * 1e-9),
                      lambda x, t: np.diff(x) / (np.diff(t) * 1e-9),
                      windowed=False),
        "cumulative-sum": _case(differences.CumulativeSum(), {},
                                lambda s, x, t: s.cumsum(),
                                lambda x, t: np.cumsum(x), windowed=False),
        "count-over-time": _case(over_time.CountOverTime(), {"window": w},
                                 lambda s, x, t: s.rolling(w).count()),
        "changes": _case(over_time.Changes(), {"window": w},
                         lambda s, x, t: _pairs_where(s, w, lambda d: d.ne(0))),
        "resets": _case(over_time.Resets(), {"window": w},
                        lambda s, x, t: _pairs_where(s, w, lambda d: d.lt(0))),
        "stdvar-over-time": _case(over_time.StdvarOverTime(), {"window": w},
                                  lambda s, x, t: s.rolling(w).var(ddof=0),
                                  lambda x, t: bn.move_var(x, w, ddof=0)),
        "deriv": _case(regression.Deriv(), {"window": w},
                       lambda s, x, t: _pandas_deriv(s, t, w)),
        "irate": _case(counters.IRate(), {"window": 2},
                       lambda s, x, t: _pandas_irate(s, t), windowed=False),
    })
    return cases


def _duration_cases(w):
    """name -> case for a duration window ``w`` ("10s"); the pandas
    references take (pandas series on a DatetimeIndex, array, ts)."""
    cases = {}
    for name, cls, method in [
            ("moving-average", moving_average.MovingAverage, "mean"),
            ("moving-sum", moving_average.MovingSum, "sum"),
            ("moving-median", moving_average.MovingMedian, "median"),
            ("moving-min", moving_average.MovingMin, "min"),
            ("moving-max", moving_average.MovingMax, "max"),
            ("moving-std", moving_average.MovingStd, "std")]:
        cases[name] = _case(
            cls(), {"window": w},
            lambda s, x, t, method=method: getattr(s.rolling(w), method)())
    cases.update({
        "percentile q=90": _case(percentile.MovingPercentile(),
                                 {"window": w, "q": 90},
                                 lambda s, x, t: s.rolling(w).quantile(0.9)),
        "zscore": _case(zscore.ZScore(), {"window": w},
                        lambda s, x, t: (s - s.rolling(w).mean())
                        / s.rolling(w).std()),
        "count-over-time": _case(over_time.CountOverTime(), {"window": w},
                                 lambda s, x, t: s.rolling(w).count()),
        "stdvar-over-time": _case(over_time.StdvarOverTime(), {"window": w},
                                  lambda s, x, t: s.rolling(
                                      w, min_periods=2).var(ddof=0)),
        "deriv": _case(regression.Deriv(), {"window": w},
                       lambda s, x, t: _pandas_deriv(s.dropna(), t[
                           np.isfinite(x)], w)),
        "increase": _case(counters.Increase(), {"window": w},
                          lambda s, x, t: _pandas_increase(s, w)),
        "resample-fill ffill": _case(
            resample_fill.ResampleFill(), {"step": w},
            lambda s, x, t: s.dropna().reindex(_grid(t, w), method="ffill")),
        "resample-fill linear": _case(
            resample_fill.ResampleFill(), {"step": w, "method": "linear"},
            lambda s, x, t: _pandas_linear(s.dropna(), _grid(t, w))),
    })
    return cases


def _irregular(n):
    """Timestamps 1 s apart on average (exponential steps) and the values
    of the count-window rows with 1 % of them gaps (NaN)."""
    rng = np.random.default_rng(n + 1)
    steps = rng.exponential(1.0, n) * 1e9
    stamps = np.cumsum(steps).astype(np.int64) + 1_700_000_000 * 10 ** 9
    values = rng.standard_normal(n) * 10 + 1e4
    values[rng.random(n) < 0.01] = np.nan
    return stamps, values


def _ours(case, data):
    """The plugin's ``compute`` on ``data``, validated as the API does."""
    plugin = case["plugin"]
    params = plugin.validate({k: str(v) for k, v in case["query"].items()})
    return lambda: plugin.compute(data, **params)


def _diffs(ours, reference):
    """Largest absolute difference, and it over the reference's magnitude."""
    reference = reference[~np.isnan(reference)]
    if len(reference) != len(ours):
        return float("nan"), float("nan")
    if not len(ours):
        return 0.0, 0.0
    largest = np.max(np.abs(ours - reference))
    return largest, largest / np.max(np.abs(reference))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--large", action="store_true",
                        help="also 10**7 points (a few minutes more)")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--only", help="comma-separated statistic names")
    parser.add_argument("--windows", choices=("count", "duration", "both"),
                        default="both", help="which rows to run")
    parser.add_argument("--steps", choices=("irregular", "regular"),
                        default="irregular",
                        help="the duration rows' series: exponential steps"
                             " of 1 s on average, or 1 s apart (both with"
                             " 1 %% gaps)")
    args = parser.parse_args()
    sizes = [10 ** 5, 10 ** 6] + ([10 ** 7] if args.large else [])
    print(f"# {platform.processor() or platform.machine()}, "
          f"{platform.python_version()}, numpy {np.__version__}, "
          f"bottleneck {bn.__version__}, pandas {pd.__version__}, "
          f"scipy {scipy.__version__}, "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"{'statistic':16} {'n':>9} {'w':>5} {'ours ms':>9} {'pandas':>9}"
          f" {'kernel':>9} {'ours/pd':>8} {'ours/fast':>9} {'abs diff':>9}"
          f" {'rel diff':>9}")
    for n in sizes:
        rng = np.random.default_rng(n)
        values = rng.standard_normal(n) * 10 + 1e4
        stamps = np.arange(n, dtype=np.int64) * 10 ** 9 + 1_700_000_000 * 10 ** 9
        series = pd.Series(values)
        data = Series(stamps, values)
        repeat = args.repeat if n <= 10 ** 6 else max(1, args.repeat // 2)
        done = set()
        for w in (10, 1000) if args.windows != "duration" else ():
            for name, case in _cases(w).items():
                if args.only and name.split()[0] not in args.only.split(","):
                    continue
                if not case["windowed"] and name in done:
                    continue
                done.add(name)
                ours = _ours(case, data)
                out = ours().values
                functions = [ours,
                             lambda: case["pandas"](series, values, stamps)]
                if case["kernel"]:
                    functions.append(lambda: case["kernel"](values, stamps))
                ours_ms, *refs = medians_ms(functions, repeat)
                absolute, relative = _diffs(
                    out, case["pandas"](series, values, stamps).to_numpy())
                _row(name, n, w if case["windowed"] else "-", ours_ms, refs,
                     absolute, relative)
        # Duration windows of 10 s and 1000 s (about 10 and 1000 points) on
        # an irregular series with gaps; pandas' results at the gaps (it
        # gives one, we do not) are left out of the comparison.
        if args.windows == "count":
            continue
        stamps, values = _irregular(n)
        if args.steps == "regular":
            stamps = stamps[0] + np.arange(n, dtype=np.int64) * 10 ** 9
        series = pd.Series(values, index=pd.DatetimeIndex(stamps))
        data = Series(stamps, values)
        valid = np.isfinite(values)
        for w in ("10s", "1000s"):
            for name, case in _duration_cases(w).items():
                if args.only and name.split()[0] not in args.only.split(","):
                    continue
                ours = _ours(case, data)
                out = ours().values
                ours_ms, pandas_ms = medians_ms(
                    [ours, lambda: case["pandas"](series, values, stamps)],
                    repeat)
                reference = case["pandas"](series, values, stamps).to_numpy()
                if len(reference) == len(values):  # else on a grid
                    reference = reference[valid]
                _row(name, n, w, ours_ms, [pandas_ms],
                     *_diffs(out, reference))


def _row(name, n, w, ours_ms, refs, absolute, relative):
    """One line of the table; ``refs`` is pandas' time, then the kernel's."""
    kernel_ms = refs[1] if len(refs) > 1 else float("nan")
    print(f"{name:16} {n:>9} {w:>5} {ours_ms:9.2f} {refs[0]:9.2f}"
          f" {kernel_ms:9.2f} {ours_ms / refs[0]:8.3f}"
          f" {ours_ms / min(refs):9.3f} {absolute:9.1e} {relative:9.1e}",
          flush=True)


if __name__ == "__main__":
    main()
