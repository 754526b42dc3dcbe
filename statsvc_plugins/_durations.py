"""Kernels of duration windows: the points of ``(t - window, t]``.

Each takes the series as it comes (int64 ns timestamps, ascending, and
float64 values in which NaN and +-inf are gaps) and runs in C
(``_duration_kernels.c``, ``_duration_quantiles.c``), skipping the gaps
too: a window holds the *valid* points whose timestamps fall in it.  Each
returns ``(timestamps, values)``: one result per valid point whose window
holds at least ``min_points`` points, stamped with that point's timestamp.
"""
import numpy as np

from statsvc.native import import_extension
from statsvc_plugins._kernels import MOMENTS

_kernels = import_extension("statsvc_plugins._duration_kernels")
_quantiles = import_extension("statsvc_plugins._duration_quantiles")


def _run(kernel, timestamps, values, *args):
    timestamps = np.ascontiguousarray(timestamps)
    values = np.ascontiguousarray(values)
    out_t, out = np.empty_like(timestamps), np.empty_like(values)
    written = kernel(timestamps, values, *args, out_t, out)
    return out_t[:written], out[:written]


#: What ``_duration_kernels.move_time`` computes, as it numbers them.
KINDS = MOMENTS + ("min", "max")


def moment(timestamps, values, window_ns, min_points, name):
    """Sum, mean, sample std (ddof=1), z-score, population variance (one
    of :data:`statsvc_plugins._kernels.MOMENTS`), "min" or "max"; the std,
    z-score and variance need 2 points, whatever ``min_points`` says.
    Sums are differences of prefix sums, the others a queue of two stacks
    (``_duration_kernels.c`` says how)."""
    return _run(lambda t, x, *out: _kernels.move_time(
        t, x, window_ns, min_points, KINDS.index(name), *out),
        timestamps, values)


def quantile(timestamps, values, window_ns, min_points, fraction):
    """The ``fraction`` (0 to 1) quantile, linearly interpolated as
    ``numpy.percentile``: windows of a few dozen points kept sorted, longer
    ones in two heaps, O(log w) per point; the minimum (0) and maximum (1)
    are :func:`moment`'s, O(1)."""
    if fraction in (0, 1):
        return moment(timestamps, values, window_ns, min_points,
                      "max" if fraction else "min")
    return _run(_quantiles.move_quantile_time, timestamps, values, window_ns,
                fraction, min_points)
