"""Archives rolled up at write time, shared by the drivers.

A metric with an archive policy carries a *rollup spec* in its dict
(``metric["rollup"]``, set by the API from the policy)::

    {"granularities": [[granularity_ns, points or None], ...],
     "methods": ["count", "mean", "p95", ...],   # statsvc.aggregation names
     "back_window": 0}

Each granularity's buckets are stored per method, in *archive chunks* of
:data:`CHUNK_BUCKETS` buckets: one blob per (granularity, chunk) holding a
series of frames (:mod:`.codec`) per method, bucket start as timestamp. A
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
CHUNK_BUCKETS = 256

_COUNT = struct.Struct("<H")
_ENTRY = struct.Struct("<HI")


class Rollup:
    """A metric's rollup spec (see the module docstring)."""

    def __init__(self, spec):
        self.grains = sorted((int(g), None if p is None else int(p))
                             for g, p in spec["granularities"])
        self.methods = list(spec["methods"])
        self.back_window = int(spec.get("back_window") or 0)

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
        oldest = newest - newest % coarsest - self.back_window * coarsest
        return min(oldest - oldest % grain for grain, _ in self.grains)

    def raw_span(self, records):
        """``[start, stop)`` of the raw points the buckets touched by
        sorted ``records`` aggregate."""
        first, last = int(records["t"][0]), int(records["t"][-1])
        return (min(first - first % g for g, _ in self.grains),
                max(last - last % g + g for g, _ in self.grains))

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
            keys.update((grain, int(k)) for k in np.unique(t // span))
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
        for grain, points in self.grains:
            t = self._kept(records["t"], grain, points, newest)
            if not len(t):
                continue
            # The raw points from the first touched bucket to the end of
            # the last; of their buckets, only the touched ones are kept.
            lo, hi = np.searchsorted(raw["t"], [t[0] - t[0] % grain,
                                                t[-1] - t[-1] % grain + grain])
            ts, by_method = aggregation.resample_many(
                raw["t"][lo:hi], raw["v"][lo:hi], grain, self.methods)
            touched = np.isin(ts, t - t % grain)
            ts = ts[touched]
            span = grain * CHUNK_BUCKETS
            for method, values in by_method.items():
                part = np.empty(len(ts), dtype=series.RECORD)
                part["t"], part["v"] = ts, values[touched]
                for chunk, piece in series.split_chunks(part, span):
                    fresh.setdefault((grain, chunk), {})[method] = piece
        blobs = {}
        for (grain, chunk), blob in stored.items():
            old = unpack(blob) if blob else {}
            new = fresh.get((grain, chunk), {})
            complete = (chunk + 1) * grain * CHUNK_BUCKETS \
                <= newest - newest % grain
            blobs[grain, chunk] = pack({
                method: codec.encode(series.merge(
                    codec.decode(old.get(method, b"")),
                    new.get(method, _EMPTY)), compress=complete)
                for method in self.methods})
        return blobs

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


_EMPTY = np.empty(0, dtype=series.RECORD)


def read(blobs, method, start=None, stop=None):
    """``(timestamps, values)`` of ``method`` in archive chunk ``blobs``
    (in time order), buckets starting in ``[start, stop)``."""
    data = b"".join(unpack(blob).get(method, b"") for blob in blobs)
    return series.select(codec.decode(data), start, stop)


def trimmed(blob, oldest):
    """An archive chunk ``blob`` without its buckets before ``oldest``."""
    return pack({method: codec.encode(records[records["t"] >= oldest])
                 for method, records in (
                     (m, codec.decode(data))
                     for m, data in unpack(blob).items())})


def pack(parts):
    """One blob of ``{method: frames}``."""
    out = [_COUNT.pack(len(parts))]
    for method, data in parts.items():
        name = method.encode()
        out += [_ENTRY.pack(len(name), len(data)), name, data]
    return b"".join(out)


def unpack(blob):
    """``{method: frames}`` of a :func:`pack` blob.

    :raises codec.CorruptData: if ``blob`` is not one.
    """
    view = memoryview(blob)
    try:
        count, = _COUNT.unpack_from(view)
        at, parts = _COUNT.size, {}
        for _ in range(count):
            size, length = _ENTRY.unpack_from(view, at)
            at += _ENTRY.size
            name = bytes(view[at:at + size]).decode()
            parts[name] = bytes(view[at + size:at + size + length])
            at += size + length
    except (struct.error, UnicodeDecodeError) as exc:
        raise codec.CorruptData(f"bad archive chunk: {exc}") from None
    if at != len(view):
        raise codec.CorruptData("bad archive chunk: trailing bytes")
    return parts
