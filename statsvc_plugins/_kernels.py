"""Moving-window kernels that bottleneck lacks or gets wrong.

In numpy, but for two in C: the moving quantile (two heaps,
``_quantile.c``) and the moving sum, mean, std and z-score
(``_moments.c``).

Every kernel takes a gap-free float64 array (but see :func:`move_moment`'s
``stop_at_gap``) and a window ``w`` with
``1 <= w <= len(values)`` and returns the ``len(values) - w + 1`` results
of the full windows, window ``i`` being ``values[i:i + w]``.

Kernels work chunk by chunk (:data:`_CHUNK`) so that their temporaries stay
in the CPU cache and their numerical errors cannot accumulate along a long
series.
"""
import numpy as np

from statsvc.native import import_extension

_moments = import_extension("statsvc_plugins._moments")
_quantile = import_extension("statsvc_plugins._quantile")

#: Windows computed per chunk: 2**14 keeps the temporaries in L2 and small
#: enough for malloc to recycle them (fresh pages cost a fault each); the
#: moving std restarts its update as often.
_CHUNK = 1 << 14


def _chunk_size(window):
    """Windows per chunk: at least 4 windows' worth, so overlaps stay small."""
    return max(_CHUNK, 4 * window)


def _chunks(n_out, window):
    """Yield ``(start, stop)`` ranges of window indices, one per chunk."""
    size = _chunk_size(window)
    for start in range(0, n_out, size):
        yield start, min(start + size, n_out)


def _scratch(n_out, window):
    """A buffer for one chunk's values."""
    return np.empty(min(n_out, _chunk_size(window)) + window - 1)


def move_extreme(values, window, ufunc):
    """Moving maximum (``ufunc=np.maximum``) or minimum (``np.minimum``).

    Doubling: after step j, ``a[i]`` is the extreme of ``2**j`` points from
    ``i``; two overlapping power-of-two spans then cover any window.  That
    is ``log2(w)`` SIMD passes, 2-7x faster than bottleneck's deque, whose
    branches mispredict on noisy data.
    """
    n_out = len(values) - window + 1
    out = np.empty(n_out)
    scratch = (_scratch(n_out, window), _scratch(n_out, window))
    for start, stop in _chunks(n_out, window):
        a, span, flip = values[start:stop + window - 1], 1, 0
        while 2 * span <= window:
            m = len(a) - span
            # Ping-pong buffers: writing in place would make numpy copy.
            a = ufunc(a[:m], a[span:], out=scratch[flip][:m])
            span, flip = 2 * span, 1 - flip
        ufunc(a[:stop - start], a[window - span:window - span + stop - start],
              out=out[start:stop])
    return out


#: The moments :func:`move_moment` computes, as ``_moments.c`` numbers them.
MOMENTS = ("sum", "mean", "std", "zscore", "var")


def move_moment(values, window, moment, stop_at_gap=False):
    """Moving sum, mean, sample std (ddof=1), z-score or population
    variance (ddof=0, "var"), by name.

    The z-score is ``(x - mean) / std`` of each window's last point, 0 if
    the window is constant; std, z-score and variance need ``window >= 2``.  One pass
    in C (``_moments.c``), restarted every chunk so that rounding errors do
    not pile up along the series.  The std is bottleneck's sliding update
    on values centred on each chunk's mean, from an exact two-pass first
    window; the update also sums the magnitudes of its terms, which bound
    its rounding error, and recomputes a window two-pass when its sum of
    squares falls below 2**-12 of that (after a drop in spread: the
    near-constant window after a spike), so that the variance keeps a
    relative error of about 1e-12; a window of equal values gives exactly
    0, and windows of 2 or 3 points are computed two-pass.

    ``values`` may hold gaps (NaN, +-inf) only with ``stop_at_gap``, which
    returns None as soon as one is met (or a sum overflows).
    """
    out = np.empty(len(values) - window + 1)
    finite = _moments.move_moments(np.ascontiguousarray(values), window, out,
                                   MOMENTS.index(moment), _CHUNK, stop_at_gap)
    return out if finite or not stop_at_gap else None


def move_quantile(values, window, k, fraction):
    """``s[k] + fraction * (s[k+1] - s[k])``, ``s`` each window sorted.

    One O(n log w) pass of two heaps in C (``_quantile.c``), which
    releases the GIL; ``fraction`` is 0 or ``k + 1 < window``.
    """
    out = np.empty(len(values) - window + 1)
    _quantile.move_quantile(np.ascontiguousarray(values), window, k,
                            fraction, out)
    return out
