"""Archives rolled up at write time, shared by the drivers.

A metric with an archive policy carries a *rollup spec* in its dict
(``metric["rollup"]``, set by the API from the policy)::

    {"granularities": [[granularity_ns, points or None], ...],
     "methods": ["count", "mean", "p95", ...],   # statsvc.aggregation names
     "back_window": 0}

Each granularity's buckets are stored per method, in *archive chunks* of
:data:`CHUNK_BUCKETS` buckets: one blob per (granularity, chunk) holding
every method's values (:func:`pack`), bucket start as timestamp. A
write recomputes, from raw points, every bucket it touches, in the same
transaction as the raw points (Gnocchi's design: exact for every method,
median and percentiles included). Raw points are kept only from
:meth:`Rollup.cutoff` on: the coarsest bucket of the newest point, minus
``back_window`` coarsest buckets, aligned down to every granularity, so that
every bucket a write may still change has all its raw points. Points older
than the cutoff of the stored newest point are ignored, as Gnocchi ignores
them; buckets before the cutoff are final.

Archive chunks are written raw while they may change often and compressed
once complete (their last bucket before the newest point's bucket): a
chunk the newest point leaves is compressed by that write.
"""
import struct

import numpy as np

from statsvc import aggregation
from statsvc.storage import codec
from statsvc.storage import series

#: Buckets per archive chunk: small enough that rewriting the newest chunk
#: at each write is cheap, large enough that a year of hours is few reads.
CHUNK_BUCKETS = 512

_COUNT = struct.Struct("<H")


class Rollup:
    """A metric's rollup spec (see the module docstring)."""

    def __init__(self, spec):
        self.grains = sorted((int(g), None if p is None else int(p))
                             for g, p in spec["granularities"])
        self.methods = list(spec["methods"])
        self.back_window = int(spec.get("back_window") or 0)
        # rate:X buckets need the point before their first one, so one more
        # coarsest bucket of raw points is kept.
        self.rated = any(m.startswith(aggregation.RATE)
                         for m in self.methods)

    @classmethod
    def of(cls, spec):
        """The :class:`Rollup` of a spec, ``None`` for none."""
        return None if spec is None else cls(spec)

    def points(self, grain):
        """The ``points`` of granularity ``grain`` (ns), ``None`` if
        unbounded.

        :raises KeyError: if the metric has no such granularity.
        """
        return dict(self.grains)[grain]

    def cutoff(self, newest):
        """The oldest timestamp a write may still change when the newest
        point is ``newest``, and from which raw points are kept; ``None``
        when there is no point yet."""
        if newest is None:
            return None
        coarsest = self.grains[-1][0]
        oldest = newest - newest % coarsest \
            - (self.back_window + self.rated) * coarsest
        return min(oldest - oldest % grain for grain, _ in self.grains)

    def raw_span(self, records):
        """``[start, stop)`` of the raw points the buckets touched by
        sorted ``records`` aggregate."""
        first, last = int(records["t"][0]), int(records["t"][-1])
        # With rate:X, the point before the first bucket starts its first
        # difference, and the point after a write's last one may sit in the
        # next coarsest bucket, whose first difference the write changes.
        extra = self.grains[-1][0] if self.rated else 0
        return (min(first - first % g for g, _ in self.grains) - extra,
                max(last - last % g + g for g, _ in self.grains) + extra)

    def oldest_bucket(self, grain, points, newest):
        """The first bucket a granularity keeps, or ``None`` (all)."""
        if points is None or newest is None:
            return None
        return newest - newest % grain - (points - 1) * grain

    def chunks_to_write(self, records, last_ts, newest):
        """``{(grain, chunk)}`` a write of sorted ``records`` changes: those
        of the buckets it touches and, per granularity, the chunk the newest
        point leaves (to compress it)."""
        keys = set()
        for grain, points in self.grains:
            span = grain * CHUNK_BUCKETS
            t = self._kept(records["t"], grain, points, newest)
            if self.rated and len(t):
                # The bucket of a successor may be a chunk further.
                t = np.r_[t, min(int(t[-1]) + self.grains[-1][0], newest)]
            keys.update((grain, int(k)) for k in _sorted_unique(t // span))
            if last_ts is not None and newest // span > last_ts // span:
                keys.add((grain, last_ts // span))
        first_kept = self.first_kept_chunks(newest)
        return {(g, k) for g, k in keys if k >= first_kept.get(g, k)}

    def _kept(self, t, grain, points, newest):
        """The timestamps of ``t`` in buckets the granularity keeps: a
        large write computes no bucket it would drop at once."""
        oldest = self.oldest_bucket(grain, points, newest)
        return t if oldest is None else t[t >= oldest]

    def first_kept_chunks(self, newest):
        """``{grain: chunk}``: chunks before it hold only buckets past the
        granularity's ``points``, to delete."""
        kept = {}
        for grain, points in self.grains:
            oldest = self.oldest_bucket(grain, points, newest)
            if oldest is not None:
                kept[grain] = oldest // (grain * CHUNK_BUCKETS)
        return kept

    def update(self, raw, records, stored, newest):
        """The new blobs of the archive chunks ``stored`` (``{(grain,
        chunk): blob or None}``, as :meth:`chunks_to_write` names them).

        ``raw`` are the sorted raw points of :meth:`raw_span` once
        ``records`` are added; each bucket ``records`` touch is recomputed
        from them and replaces the stored one."""
        fresh = {}
        written = records["t"]
        if self.rated:
            # A point changes the difference of the point after it too.
            after = np.searchsorted(raw["t"], written, side="right")
            written = np.union1d(written, raw["t"][after[after < len(raw)]])
        for grain, points in self.grains:
            t = self._kept(written, grain, points, newest)
            if not len(t):
                continue
            # The raw points from the first touched bucket to the end of
            # the last; of their buckets, only the touched ones are kept.
            lo, hi = np.searchsorted(raw["t"], [t[0] - t[0] % grain,
                                                t[-1] - t[-1] % grain + grain])
            if self.rated and lo:
                lo -= 1  # the point a first difference starts from
            ts, by_method = aggregation.resample_many(
                raw["t"][lo:hi], raw["v"][lo:hi], grain, self.methods)
            touched = _sorted_unique(t - t % grain)
            if len(touched) < len(ts):
                inside = np.zeros(len(ts), dtype=bool)
                inside[np.searchsorted(ts, touched)] = True
                ts = ts[inside]
                by_method = {m: v[inside] for m, v in by_method.items()}
            values = np.array([by_method[m] for m in self.methods])
            chunks = ts // (grain * CHUNK_BUCKETS)
            bounds = [0, *(np.flatnonzero(np.diff(chunks)) + 1), len(ts)]
            for a, b in zip(bounds[:-1], bounds[1:]):
                fresh[grain, int(chunks[a])] = (ts[a:b], values[:, a:b])
        blobs = {}
        for (grain, chunk), blob in stored.items():
            ts, values = self._columns(blob)
            if (grain, chunk) in fresh:
                ts, values = _merge(ts, values, *fresh[grain, chunk])
            complete = (chunk + 1) * grain * CHUNK_BUCKETS \
                <= newest - newest % grain
            blobs[grain, chunk] = pack(self.methods, ts, values, complete)
        return blobs

    def _columns(self, blob):
        """A stored chunk's buckets and values, one row per method of this
        spec (NaN for a method the chunk lacks)."""
        if not blob:
            return _NO_BUCKETS, np.empty((len(self.methods), 0))
        methods, ts, values = unpack(blob)
        if methods == self.methods:
            return ts, values
        rows = {m: values[i] for i, m in enumerate(methods)}
        nan = np.full(len(ts), np.nan)
        return ts, np.array([rows.get(m, nan) for m in self.methods])

    def trims(self, newest):
        """``{grain: oldest bucket}`` for the granularities with
        ``points``: the buckets before it are dropped when the spec
        changes, so that more ``points`` do not bring them back."""
        return {grain: self.oldest_bucket(grain, points, newest)
                for grain, points in self.grains if points is not None}

    def rebuild(self, raw, newest):
        """Every archive chunk of the raw points ``raw`` (sorted), as
        ``{(grain, chunk): blob}``: upgrading a metric stored raw."""
        if not len(raw):
            return {}
        keys = self.chunks_to_write(raw, None, newest)
        return self.update(raw, raw, dict.fromkeys(keys), newest)


_NO_BUCKETS = np.empty(0, dtype=np.int64)


def _sorted_unique(a):
    """``np.unique`` of a sorted array, without sorting it again."""
    return a[_firsts(a)] if len(a) > 1 else a


def _firsts(a):
    """Where each run of equal values of ``a`` (not empty) starts, as a
    mask (``np.r_`` costs more than this whole function on small arrays)."""
    first = np.empty(len(a), dtype=bool)
    first[0] = True
    np.not_equal(a[1:], a[:-1], out=first[1:])
    return first


def _merge(old_ts, old_values, new_ts, new_values):
    """Buckets of both, sorted; on equal bucket the new values win."""
    if not len(old_ts):
        return new_ts, new_values
    ts = np.concatenate([old_ts, new_ts])
    values = np.concatenate([old_values, new_values], axis=1)
    if old_ts[-1] < new_ts[0]:
        return ts, values
    # Stable: the new value of a bucket comes last in its run of two.
    order = np.argsort(ts, kind="stable")[::-1]
    ts, values = ts[order], values[:, order]
    keep = _firsts(ts)[::-1]
    return ts[::-1][keep], values[:, ::-1][:, keep]


def read(blobs, method, start=None, stop=None):
    """``(timestamps, values)`` of ``method`` in archive chunk ``blobs``
    (in time order), buckets starting in ``[start, stop)``."""
    ts, values = [_NO_BUCKETS], [np.empty(0)]
    for blob in blobs:
        found = unpack_method(blob, method)
        if found is not None:
            ts.append(found[0])
            values.append(found[1])
    ts, values = np.concatenate(ts), np.concatenate(values)
    lo = 0 if start is None else np.searchsorted(ts, start)
    hi = len(ts) if stop is None else np.searchsorted(ts, stop)
    return ts[lo:hi], values[lo:hi]


def trimmed(blob, oldest):
    """An archive chunk ``blob`` without its buckets before ``oldest``."""
    methods, ts, values = unpack(blob)
    keep = ts >= oldest
    return pack(methods, ts[keep], values[:, keep], True)


def pack(methods, ts, values, compress):
    """One blob of a chunk's buckets ``ts`` and ``values`` (a row per
    method).

    A chunk still changing (not ``compress``) is the method names, then
    one raw frame (:mod:`.codec`) whose records are the buckets once per
    method: quick to rewrite whole at each write. A complete chunk is
    compressed once, a frame per method after a table of their sizes, so
    that a query of one method decodes only its frame.
    """
    names = _names(methods)
    if not compress:
        return names + _frame(ts, values.ravel(), compress)
    frames = [_frame(ts, row, compress) for row in values]
    return b"".join([_PER_METHOD, names,
                     *(_SIZE.pack(len(f)) for f in frames), *frames])


def unpack(blob):
    """``(methods, ts, values)`` of a :func:`pack` blob.

    :raises codec.CorruptData: if ``blob`` is not one.
    """
    methods, frames = _parse(blob)
    if isinstance(frames, list):
        columns = [_records(frame, 1) for frame in frames]
        ts = columns[0][0]
        if any(not np.array_equal(t, ts) for t, _ in columns):
            raise codec.CorruptData("bad archive chunk: methods disagree")
        return methods, ts, np.array([v[0] for _, v in columns])
    ts, values = _records(frames, len(methods))
    return methods, ts, values


def unpack_method(blob, method):
    """``(ts, values)`` of one method of a :func:`pack` blob, decoding no
    more than it needs; ``None`` if the chunk does not keep ``method``.

    :raises codec.CorruptData: if ``blob`` is not one.
    """
    methods, frames = _parse(blob)
    if method not in methods:
        return None
    at = methods.index(method)
    if isinstance(frames, list):
        ts, values = _records(frames[at], 1)
        return ts, values[0]
    ts, values = _records(frames, len(methods))
    return ts, values[at]


# A chunk whose frames are per method starts with zero where the other
# layout counts its methods (at least one).
_PER_METHOD = b"\x00\x00"
_SIZE = struct.Struct("<I")


def _names(methods):
    out = [_COUNT.pack(len(methods))]
    for method in methods:
        name = method.encode()
        out += [_COUNT.pack(len(name)), name]
    return b"".join(out)


def _frame(ts, values, compress):
    """A frame of ``values``, rows of ``len(ts)`` buckets made flat, each
    row stamped with ``ts``."""
    records = np.empty(values.size, dtype=series.RECORD)
    records["t"] = np.tile(ts, values.size // len(ts)) if len(ts) else ts
    records["v"] = values
    return codec.encode(records, compress=compress)


def _parse(blob):
    """``(methods, frames)``: the frame of every method's records, or the
    list of each method's frame."""
    view = memoryview(blob)
    try:
        per_method = view[:2] == _PER_METHOD
        at = 2 if per_method else 0
        count, = _COUNT.unpack_from(view, at)
        at, methods = at + _COUNT.size, []
        for _ in range(count):
            size, = _COUNT.unpack_from(view, at)
            methods.append(bytes(view[at + 2:at + 2 + size]).decode())
            at += 2 + size
        if not count:
            raise codec.CorruptData("bad archive chunk: no method")
        if not per_method:
            return methods, view[at:]
        sizes = struct.unpack_from(f"<{count}I", view, at)
        at += count * _SIZE.size
        frames = []
        for size in sizes:
            frames.append(view[at:at + size])
            at += size
        if at != len(view):
            raise codec.CorruptData("bad archive chunk: frame sizes")
        return methods, frames
    except (struct.error, UnicodeDecodeError) as exc:
        raise codec.CorruptData(f"bad archive chunk: {exc}") from None


def _records(frame, count):
    """The buckets and ``count`` rows of values of a frame holding the
    buckets once per row."""
    records = codec.decode(frame)
    if len(records) % count:
        raise codec.CorruptData("bad archive chunk: uneven methods")
    n = len(records) // count
    return records["t"][:n].copy(), records["v"].reshape(count, n).copy()
