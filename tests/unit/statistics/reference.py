"""Slow, obviously correct versions of the first-party statistics.

Pure Python over lists, exact where the stdlib is (``math.fsum``,
``statistics.stdev``); used by the property tests as the oracle.
Each returns ``(timestamps, values)`` lists.
"""
import math
import statistics


def valid(timestamps, values):
    """The points whose value is finite: gaps dropped."""
    return [(t, v) for t, v in zip(timestamps, values) if math.isfinite(v)]


def percentile(window, q):
    s = sorted(window)
    h = q / 100 * (len(s) - 1)
    k = math.floor(h)
    if k + 1 == len(s):
        return s[k]
    return s[k] + (h - k) * (s[k + 1] - s[k])


def zscore(window):
    if len(set(window)) == 1:
        return 0.0
    return (window[-1] - statistics.fmean(window)) / statistics.stdev(window)


WINDOW_FUNCTIONS = {
    "moving-average": lambda w: math.fsum(w) / len(w),
    "moving-sum": math.fsum,
    "moving-median": statistics.median,
    "moving-min": min,
    "moving-max": max,
    "moving-std": statistics.stdev,
}


def moving(function, timestamps, values, window, center=False):
    points = valid(timestamps, values)
    lag = (window - 1) // 2 if center else 0
    out_t, out_v = [], []
    for end in range(window - 1, len(points)):
        out_t.append(points[end - lag][0])
        out_v.append(function([v for _, v in points[end - window + 1:end + 1]]))
    return out_t, out_v


def over_time(function, timestamps, values, window_ns, min_points=1):
    """``function`` of each duration window ``(t - window_ns, t]`` of the
    valid points, at each valid point whose window holds ``min_points``."""
    points = valid(timestamps, values)
    out_t, out_v = [], []
    for t, _ in points:
        window = [v for s, v in points if t - window_ns < s <= t]
        if len(window) >= min_points:
            out_t.append(t)
            out_v.append(function(window))
    return out_t, out_v


def ewma(timestamps, values, alpha):
    points = valid(timestamps, values)
    beta = 1 - alpha
    out = []
    for t in range(len(points)):
        weights = [beta ** i for i in range(t + 1)]
        out.append(math.fsum(w * points[t - i][1] for i, w in enumerate(weights))
                   / math.fsum(weights))
    return [t for t, _ in points], out


def delta(timestamps, values):
    points = valid(timestamps, values)
    return ([b[0] for b in points[1:]],
            [b[1] - a[1] for a, b in zip(points, points[1:])])


def rate(timestamps, values):
    points = valid(timestamps, values)
    return ([b[0] for b in points[1:]],
            [(b[1] - a[1]) / ((b[0] - a[0]) / 1e9)
             for a, b in zip(points, points[1:])])


def cumulative_sum(timestamps, values):
    points = valid(timestamps, values)
    return ([t for t, _ in points],
            [math.fsum(v for _, v in points[:i + 1]) for i in range(len(points))])


def windows(timestamps, values, window, min_points=1):
    """``[(t, [(t, v), ...])]``: each window's points, stamped with its
    last; ``window`` an int (points) or nanoseconds as ``("ns", n)``."""
    points = valid(timestamps, values)
    out = []
    for i, (t, _) in enumerate(points):
        if isinstance(window, tuple):
            inside = [p for p in points[:i + 1] if p[0] > t - window[1]]
        elif i + 1 >= window:
            inside = points[i + 1 - window:i + 1]
        else:
            continue
        if len(inside) >= min_points:
            out.append((t, inside))
    return out


def over_windows(function, timestamps, values, window, min_points=1):
    """``function(points)`` of each window: ``(timestamps, values)``."""
    found = windows(timestamps, values, window, min_points)
    return [t for t, _ in found], [function(inside) for _, inside in found]


def changes(points):
    return sum(b[1] != a[1] for a, b in zip(points, points[1:]))


def resets(points):
    return sum(b[1] < a[1] for a, b in zip(points, points[1:]))


def stdvar(points):
    return statistics.pvariance([v for _, v in points])


def irate(points):
    (t0, v0), (t1, v1) = points[-2:]
    return (v1 if v1 < v0 else v1 - v0) / ((t1 - t0) / 1e9)


def increase(window_ns):
    """Prometheus' extrapolatedRate (promql/functions.go), as increase,
    for a range ending at the last point."""
    def function(points):
        first, last = points[0], points[-1]
        result = last[1] - first[1]
        for (_, before), (_, now) in zip(points, points[1:]):
            if now < before:
                result += before
        to_start = (first[0] - (last[0] - window_ns)) / 1e9
        to_end = 0.0
        sampled = (last[0] - first[0]) / 1e9
        average = sampled / (len(points) - 1)
        if result > 0 and first[1] >= 0:
            to_start = min(to_start, sampled * (first[1] / result))
        threshold = average * 1.1
        interval = sampled
        interval += to_start if to_start < threshold else average / 2
        interval += to_end if to_end < threshold else average / 2
        return result * (interval / sampled)
    return function


def resample_fill(timestamps, values, step_ns, method, max_gap_ns=None):
    """Each grid time ``k * step_ns`` from the first valid point to the
    last, filled from the points around it."""
    points = valid(timestamps, values)
    out_t, out_v = [], []
    if not points:
        return out_t, out_v
    g = -(-points[0][0] // step_ns) * step_ns
    while g <= points[-1][0]:
        before = [p for p in points if p[0] <= g][-1]
        after = ([p for p in points if p[0] > g] or [before])[0]
        if method == "ffill":
            value, span = before[1], g - before[0]
        elif before[0] == g:
            value, span = before[1], 0
        else:
            value = before[1] + (g - before[0]) / (after[0] - before[0]) * (
                after[1] - before[1])
            span = after[0] - before[0]
        if max_gap_ns is None or span <= max_gap_ns:
            out_t.append(g)
            out_v.append(value)
        g += step_ns
    return out_t, out_v


def line(horizon=None):
    """Least squares through a window's points, exact (fractions):
    the slope per second, or the value ``horizon`` s after the last."""
    from fractions import Fraction

    def function(points):
        end = points[-1][0]
        u = [Fraction(int(t) - int(end), 10 ** 9) for t, _ in points]
        x = [Fraction(v) for _, v in points]
        if len(set(x)) == 1:
            return float(x[0]) if horizon is not None else 0.0
        mu, mx = sum(u) / len(u), sum(x) / len(x)
        slope = (sum((a - mu) * (b - mx) for a, b in zip(u, x))
                 / sum((a - mu) ** 2 for a in u))
        if horizon is None:
            return float(slope)
        return float(mx - slope * mu + slope * Fraction(horizon))
    return function


def holt_winters(sf, tf):
    """Prometheus' funcHoltWinters (promql/functions.go, v2.x), line for
    line, on a window's points."""
    def calc_trend_value(i, s0, s1, b):
        if i == 0:
            return b
        x = tf * (s1 - s0)
        y = (1 - tf) * b
        return x + y

    def function(points):
        samples = [v for _, v in points]
        s0, s1 = 0.0, samples[0]
        b = samples[1] - samples[0]
        for i in range(1, len(samples)):
            x = sf * samples[i]
            b = calc_trend_value(i - 1, s0, s1, b)
            y = (1 - sf) * (s1 + b)
            s0, s1 = s1, x + y
        return s1
    return function


def mad_outlier(threshold):
    """1.0 where the window's last value is more than ``threshold`` scaled
    MADs from the window's median, from the definitions."""
    def function(points):
        window = [v for _, v in points]
        middle = statistics.median(window)
        mad = statistics.median([abs(v - middle) for v in window])
        return float(abs(window[-1] - middle) > threshold * 1.4826 * mad)
    return function
