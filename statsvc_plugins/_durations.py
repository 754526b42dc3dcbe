"""Kernels of duration windows: the points of ``(t - window, t]``.

Each takes the series as it comes (int64 ns timestamps, ascending, and
float64 values in which NaN and +-inf are gaps) and makes one pass in C
that skips the gaps too: a window holds the *valid* points whose timestamps
fall in it.  Each returns ``(timestamps, values)``: one result per valid
point whose window holds at least ``min_points`` points, stamped with that
point's timestamp.
"""
import numpy as np

from statsvc.native import import_extension
from statsvc_plugins._kernels import _CHUNK, MOMENTS

_moments = import_extension("statsvc_plugins._moments")
_quantile = import_extension("statsvc_plugins._quantile")


def _run(kernel, timestamps, values, *args):
    timestamps = np.ascontiguousarray(timestamps)
    values = np.ascontiguousarray(values)
    out_t, out = np.empty_like(timestamps), np.empty_like(values)
    written = kernel(timestamps, values, *args, out_t, out)
    return out_t[:written], out[:written]


def moment(timestamps, values, window_ns, min_points, name):
    """Sum, mean, sample std (ddof=1), z-score or population variance
    (one of :data:`statsvc_plugins._kernels.MOMENTS`); the std, z-score
    and variance need 2 points, whatever ``min_points`` says.  The update restarts as
    :func:`statsvc_plugins._kernels.move_moment`'s does."""
    return _run(lambda t, x, *out: _moments.move_moments_time(
        t, x, window_ns, min_points, MOMENTS.index(name), _CHUNK, *out),
        timestamps, values)


def quantile(timestamps, values, window_ns, min_points, fraction):
    """The ``fraction`` (0 to 1) quantile, linearly interpolated as
    ``numpy.percentile``: two heaps, O(log w) per point; the minimum (0)
    and maximum (1) a two-stack queue, O(1)."""
    return _run(_quantile.move_quantile_time, timestamps, values, window_ns,
                fraction, min_points)
