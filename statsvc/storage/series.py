"""Numpy helpers shared by the drivers: normalising, merging, chunking.

A series is handled as :data:`RECORD` arrays, ``(int64 ns, float64)``
sorted by time with unique timestamps; :mod:`.codec` stores them.
"""
import numpy as np

#: One point: 16 bytes uncompressed.
RECORD = np.dtype([("t", "<i8"), ("v", "<f8")])

#: Default time span of a chunk: one UTC day, i.e. 86,400 points at 1 Hz,
#: 8,640 at 10 s, enough to keep per-chunk overhead negligible while a
#: rewrite of one chunk (out-of-order write) stays cheap.
DEFAULT_CHUNK_NS = 86_400 * 10**9


def dedupe_sorted(records):
    """Keep the last record of each run of equal timestamps.

    ``records`` must be sorted by time with a *stable* sort so that, within a
    run, later writes come last.
    """
    t = records["t"]
    if len(t) < 2:
        return records
    keep = np.empty(len(t), dtype=bool)
    np.not_equal(t[:-1], t[1:], out=keep[:-1])
    keep[-1] = True
    return records if keep.all() else records[keep]


def normalize(timestamps, values):
    """Return a batch as sorted records, the last occurrence of a timestamp
    winning.

    :raises ValueError: if the arrays are not 1-D of equal length.
    """
    t = np.asarray(timestamps, dtype=np.int64)
    v = np.asarray(values, dtype=np.float64)
    if t.ndim != 1 or t.shape != v.shape:
        raise ValueError("timestamps and values must be 1-D of equal length")
    records = np.empty(len(t), dtype=RECORD)
    records["t"] = t
    records["v"] = v
    if len(t) > 1 and not (t[1:] > t[:-1]).all():
        records = dedupe_sorted(records[np.argsort(t, kind="stable")])
    return records


def merge(old, new):
    """Merge two sorted record arrays; on equal timestamps ``new`` wins."""
    if not len(old):
        return new
    if not len(new) or old["t"][-1] < new["t"][0]:
        return np.concatenate([old, new])
    both = np.concatenate([old, new])
    # Stable sort of two sorted runs is a linear merge that keeps old
    # before new, so dedupe_sorted keeps the newer value.
    return dedupe_sorted(both[np.argsort(both["t"], kind="stable")])


def split_chunks(records, chunk_ns):
    """Yield ``(chunk_index, records_slice)`` for each chunk a sorted record
    array touches; chunk ``i`` covers ``[i * chunk_ns, (i + 1) * chunk_ns)``.
    """
    if not len(records):
        return
    index = records["t"] // chunk_ns
    bounds = np.flatnonzero(index[1:] != index[:-1]) + 1
    start = 0
    for stop in [*bounds.tolist(), len(records)]:
        yield int(index[start]), records[start:stop]
        start = stop


def chunk_range(start, stop, chunk_ns):
    """Return the inclusive ``(first, last)`` chunk indices that may hold
    points of ``[start, stop)``; ``None`` for an unbounded side."""
    first = None if start is None else start // chunk_ns
    last = None if stop is None else (stop - 1) // chunk_ns
    return first, last


def cutoff(last_ts, timespan_ns):
    """Return the oldest timestamp kept under retention, or ``None``."""
    if timespan_ns is None or last_ts is None:
        return None
    return last_ts - timespan_ns


def worth_trimming(first, last, oldest_kept):
    """Whether a chunk spanning ``[first, last]`` should be rewritten to drop
    points before ``oldest_kept``.

    Only once at least half its time span is stale, so that retention costs
    amortised O(1) per point instead of a chunk rewrite per write; readers
    filter the stale remainder out meanwhile.
    """
    return first < oldest_kept and 2 * (oldest_kept - first) >= last - first


def select(records, start=None, stop=None):
    """Return ``(timestamps, values)`` as contiguous arrays for
    ``start <= t < stop`` of sorted records."""
    t = records["t"]
    lo = 0 if start is None else int(np.searchsorted(t, start, "left"))
    hi = len(t) if stop is None else int(np.searchsorted(t, stop, "left"))
    part = records[lo:hi]
    return np.ascontiguousarray(part["t"]), np.ascontiguousarray(part["v"])


def later_bound(a, b):
    """The larger of two lower bounds where ``None`` means unbounded."""
    if a is None:
        return b
    return a if b is None else max(a, b)
