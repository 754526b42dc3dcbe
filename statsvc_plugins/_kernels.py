"""Moving-window kernels that bottleneck lacks or gets wrong, in numpy.

Every kernel takes a gap-free float64 array and a window ``w`` with
``1 <= w <= len(values)`` and returns the ``len(values) - w + 1`` results
of the full windows, window ``i`` being ``values[i:i + w]``.

Kernels work chunk by chunk (:func:`_chunks`) so that their temporaries stay
in the CPU cache and their numerical errors cannot accumulate along a long
series.
"""
import bottleneck as bn
import numpy as np

#: Windows computed per chunk: 2**14 keeps the temporaries in L2 and small
#: enough for malloc to recycle them (fresh pages cost a fault each).
_CHUNK = 1 << 14

#: Values sorted per chunk by :func:`move_quantile_by_sorting` (1 MiB).
_SORTED_CELLS = 1 << 17

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


def move_quantile_by_sorting(values, window, k, fraction):
    """``s[k] + fraction * (s[k+1] - s[k])``, ``s`` each window sorted.

    O(n * w log w), but numpy's vectorised sort of many short rows beats
    the O(n log w) heaps of :func:`move_order_statistic` up to windows of a
    few hundred points.
    """
    n_out = len(values) - window + 1
    out = np.empty(n_out)
    size = max(1, _SORTED_CELLS // window)
    for start in range(0, n_out, size):
        stop = min(start + size, n_out)
        rows = np.lib.stride_tricks.sliding_window_view(
            values[start:stop + window - 1], window)
        rows = np.sort(rows, axis=1)
        out[start:stop] = rows[:, k]
        if fraction:
            out[start:stop] += fraction * (rows[:, k + 1] - rows[:, k])
    return out


def move_order_statistic(values, window, k, pair=False):
    """The ``k``-th smallest value (0-based) of each window.

    With ``pair``, the mean of the ``k``-th and ``(k+1)``-th smallest.
    bottleneck has no moving quantile but a fast moving median (two heaps,
    O(n log w)): padding the series with ``P`` copies of -inf (or +inf)
    inside every window shifts the median onto rank ``k``.  Pads go into
    the ``w - 1`` gaps between a window's points, spread evenly with period
    ``w - 1`` so that every window holds exactly ``P`` of them; the series
    grows by at most 2x.
    """
    shift = 2 * k + 1 - window + (1 if pair else 0)
    if shift == 0:
        return bn.move_median(values, window)[window - 1:]
    pads = abs(shift)
    j = np.arange(len(values))
    positions = j + (j * pads) // (window - 1)
    padded = np.full(positions[-1] + 1, np.inf if shift > 0 else -np.inf)
    padded[positions] = values
    medians = bn.move_median(padded, window + pads)
    return medians[positions[window - 1:]]


#: Series points per call of :func:`_quantile_by_blocks` (bounds memory:
#: about 40 bytes per point).
_BLOCK_POINTS = 1 << 23

_ALL_BITS = np.uint64(0xFFFFFFFFFFFFFFFF)
_BIT = np.uint64(1)


def move_quantile_by_blocks(values, window, k, fraction):
    """``s[k] + fraction * (s[k+1] - s[k])``, ``s`` each window sorted.

    O(n log w) numpy work plus a Python loop of ``w`` steps (per 2**23
    points), each working on ``n / w`` blocks at once: see
    :func:`_quantile_by_blocks`.
    """
    n_out = len(values) - window + 1
    out = np.empty(n_out)
    size = max(_BLOCK_POINTS, 64 * window) // window * window
    for start in range(0, n_out, size):
        stop = min(start + size, n_out)
        out[start:stop] = _quantile_by_blocks(
            values[start:stop + window - 1], window, k, fraction)
    return out


def _quantile_by_blocks(values, window, k, fraction):
    """:func:`move_quantile_by_blocks` of one chunk.

    Pair ``j`` is the ``2w`` points from ``j * w``: its windows are the
    ``w`` runs of ``w`` positions starting at offsets ``r = 0 .. w-1``.
    Each pair is argsorted once; a bitmask over its sorted order marks the
    current window's points.  Moving from offset ``r`` to ``r + 1`` clears
    one bit and sets one, so the window's ``k``-th smallest moves to the
    next or previous marked bit, or stays: a few word operations, done for
    all pairs at once.  Bit scans rarely go past one word.
    """
    w = window
    n_out = len(values) - w + 1
    pairs = -(-n_out // w)
    width = 2 * w
    # Windows reaching into the padding are computed, then dropped.
    x = np.full((pairs + 1) * w, np.inf)
    x[:len(values)] = values
    segments = np.lib.stride_tricks.sliding_window_view(x, width)[::w]
    order = np.argsort(segments, axis=1).astype(np.int32)
    rows = np.arange(pairs)
    # rank[p, j]: where pair j's point at position p sits in its sorted order.
    rank = np.empty((width, pairs), np.int32)
    rank[order, rows[:, None]] = np.arange(width, dtype=np.int32)
    words_per_row = (width >> 6) + 1  # a zero word after the last bit
    member = np.zeros((pairs, words_per_row * 64), bool)
    member[:, :width] = order < w
    words = np.packbits(member, axis=1, bitorder="little").view("<u8").ravel()
    cur = (np.cumsum(member, axis=1, dtype=np.int32) <= k).sum(
        axis=1, dtype=np.int64)
    del member
    base = rows * words_per_row

    def next_member(base, s):
        """The first marked index above ``s`` in each row."""
        s = s + 1
        word = s >> 6
        m = words[base + word] & (_ALL_BITS << (s & 63).astype(np.uint64))
        empty = (m == 0).nonzero()[0]
        while len(empty):
            word[empty] += 1
            m[empty] = words[base[empty] + word[empty]]
            empty = empty[m[empty] == 0]
        return (word << 6) + np.bitwise_count((m & (~m + _BIT)) - _BIT)

    def previous_member(base, s):
        """The last marked index below ``s`` in each row."""
        s = s - 1
        word = s >> 6
        m = words[base + word] & (_ALL_BITS >> (63 - (s & 63)).astype(np.uint64))
        empty = (m == 0).nonzero()[0]
        while len(empty):
            word[empty] -= 1
            m[empty] = words[base[empty] + word[empty]]
            empty = empty[m[empty] == 0]
        for shift in (1, 2, 4, 8, 16, 32):  # smear the top bit downwards
            m |= m >> np.uint64(shift)
        return (word << 6) + np.bitwise_count(m) - 1

    lows = np.empty((pairs, w), np.int64)
    highs = np.empty((pairs, w), np.int64) if fraction else None
    for r in range(w):
        if r:
            gone, new = rank[r - 1], rank[r - 1 + w]
            words[base + (gone >> 6)] &= ~(_BIT << (gone & 63).astype(np.uint64))
            words[base + (new >> 6)] |= _BIT << (new & 63).astype(np.uint64)
            # One point fewer at or below cur: the k-th is the next member.
            up = ((gone <= cur) & (new > cur)).nonzero()[0]
            # One more below cur: the previous member.
            down = ((gone >= cur) & (new < cur)).nonzero()[0]
            cur[up] = next_member(base[up], cur[up])
            cur[down] = previous_member(base[down], cur[down])
        lows[:, r] = cur
        if fraction:
            highs[:, r] = next_member(base, cur)
    starts = (rows * w)[:, None]
    sorted_at = order.ravel()
    offsets = (rows * width)[:, None]
    out = x[starts + sorted_at[lows + offsets]].ravel()[:n_out]
    if fraction:
        high = x[starts + sorted_at[highs + offsets]].ravel()[:n_out]
        out += fraction * (high - out)
    return out
