"""Moving-window kernels that bottleneck lacks or gets wrong.

In numpy, but for the moving quantile: two heaps in C (``_quantile.c``).

Every kernel takes a gap-free float64 array and a window ``w`` with
``1 <= w <= len(values)`` and returns the ``len(values) - w + 1`` results
of the full windows, window ``i`` being ``values[i:i + w]``.

Kernels work chunk by chunk (:func:`_chunks`) so that their temporaries stay
in the CPU cache and their numerical errors cannot accumulate along a long
series.
"""
import bottleneck as bn
import numpy as np

from statsvc_plugins import _quantile

#: Windows computed per chunk: 2**14 keeps the temporaries in L2 and small
#: enough for malloc to recycle them (fresh pages cost a fault each).
_CHUNK = 1 << 14

#: Windows up to this length get the two-pass mean and std: exact to
#: rounding, as fast as bottleneck's, whose one-pass update is at its worst
#: (relative to the result) on so few points.
_TWO_PASS = 3

#: A window's standard deviation below this fraction of its chunk's range
#: may be a rounding residue where the exact value is 0: such chunks get
#: the exact (and costlier) test for constant windows.
_SUSPECT_STD = 1e-4


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


def move_std(values, window):
    """Moving sample standard deviation (ddof=1), ``window >= 2``.

    A window of equal values gives exactly 0.  Windows of 2 or 3 points are
    computed in two passes; longer ones by bottleneck's one-pass update on
    chunk-centred values, whose error in the variance is below about
    ``1e-13 * H**2``, ``H`` the largest deviation from the mean of the
    surrounding chunk (about 16384 points): negligible on stationary data,
    visible in relative terms for a while after a drop in spread.
    """
    out = np.empty(len(values) - window + 1)
    for start, stop, x, shifted in _centred_chunks(values, window):
        out[start:stop] = _std(x, shifted, window)
    return out


def move_zscore(values, window):
    """``(x - mean) / std`` of each window's last point; 0 if constant."""
    out = np.empty(len(values) - window + 1)
    for start, stop, x, shifted in _centred_chunks(values, window):
        mean, std = _moments(x, shifted, window)
        z = np.subtract(shifted[window - 1:], mean, out=out[start:stop])
        with np.errstate(divide="ignore", invalid="ignore"):
            z /= std
        z[std == 0] = 0.0
    return out


def _centred_chunks(values, window):
    """Yield chunks as ``(start, stop, values, values - their mean)``.

    bottleneck's one-pass variance loses ``eps * mean**2``: centring each
    chunk makes that the (small) spread of the chunk, and restarting per
    chunk stops the rounding errors of the running update from piling up.
    """
    n_out = len(values) - window + 1
    scratch = _scratch(n_out, window)
    for start, stop in _chunks(n_out, window):
        x = values[start:stop + window - 1]
        yield start, stop, x, np.subtract(x, x.mean(), out=scratch[:len(x)])


def _std(x, shifted, window):
    """Moving std of one chunk; exactly 0 for windows of equal values."""
    if window <= _TWO_PASS:
        return _two_pass(x, shifted, window)[1]
    return _exact_zeros(bn.move_std(shifted, window, ddof=1)[window - 1:],
                        x, shifted, window)


def _moments(x, shifted, window):
    """Moving mean (of ``shifted``) and std of one chunk."""
    if window <= _TWO_PASS:
        return _two_pass(x, shifted, window)
    return (bn.move_mean(shifted, window)[window - 1:],
            _std(x, shifted, window))


def _two_pass(x, shifted, window):
    """Mean then squared deviations, window by window: O(n * window)."""
    m = len(shifted) - window + 1
    mean = shifted[:m].copy()
    for j in range(1, window):
        mean += shifted[j:j + m]
    mean /= window
    squares = np.zeros(m)
    for j in range(window):
        deviation = shifted[j:j + m] - mean
        squares += deviation * deviation
    squares /= window - 1
    return mean, _exact_zeros(np.sqrt(squares, out=squares), x, shifted, window)


def _exact_zeros(std, x, shifted, window):
    """Set ``std`` to exactly 0 where the window's values are all equal."""
    if std.min() <= _SUSPECT_STD * (shifted.max() - shifted.min()):
        # A constant window keeps a rounding residue instead of 0 (of the
        # running update, or of a mean that is not exactly the value):
        # count value changes to find them.
        changes = (x[1:] != x[:-1]).astype(np.float64)
        constant = bn.move_sum(changes, window - 1)[window - 2:] == 0
        std[constant] = 0.0
    return std


def move_quantile(values, window, k, fraction):
    """``s[k] + fraction * (s[k+1] - s[k])``, ``s`` each window sorted.

    One O(n log w) pass of two heaps in C (``_quantile.c``), which
    releases the GIL; ``fraction`` is 0 or ``k + 1 < window``.
    """
    out = np.empty(len(values) - window + 1)
    _quantile.move_quantile(np.ascontiguousarray(values), window, k,
                            fraction, out)
    return out
