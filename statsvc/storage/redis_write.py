"""One write to a metric in Redis, for :mod:`.redis_driver`: the reads it
needs, in phases that depend on each other, then the writes it queues in
the transaction (or the cluster's per-metric script), and the stored form
of a chunk's index entry (:class:`Span`).

Appending after the end of a chunk is a Redis ``APPEND`` of a raw frame to
its tail; once the tail would reach :data:`PACK_POINTS` points or
:data:`TAIL_FRAMES` frames, the tail and the new points are compressed into
a frame appended to ``data`` instead.
"""
import collections
import functools

import numpy as np

from statsvc.storage import codec
from statsvc.storage import redis_rollup
from statsvc.storage import series
from statsvc.storage.exceptions import MetricNotFound

#: A chunk's raw tail is compressed before it reaches this many points
#: (64 KiB): below it, appending raw costs less than compressing.
PACK_POINTS = 4096
#: ... or this many frames: each costs a few microseconds to decode.
TAIL_FRAMES = 64


class MetricChange:
    """The reads and writes that add sorted records to one metric.

    Reads come in :attr:`PHASES`, each depending on the previous one's
    replies: the metric's ``meta``, then its chunk index, then the data of
    the chunks to rewrite (points inside their range, retention) or seal
    and the tails to compress.
    """

    PHASES = ("meta", "chunks", "data")

    def __init__(self, driver, metric_id, records):
        self.meta_key = driver._meta_key(metric_id)
        self.chunks_key = driver._chunks_key(metric_id)
        self.data_key = functools.partial(driver._data_key, metric_id)
        self.tail_key = functools.partial(driver._tail_key, metric_id)
        self.archive_key = functools.partial(driver._archive_key, metric_id)
        self.metric_id = metric_id
        self.records = records

    def requests(self, phase):
        """Return the ``(command, *args)`` reads of ``phase``."""
        own = self._requests(phase)
        self.own_replies = len(own)
        if self.rollup is None or phase == "meta":
            return own
        if phase == "chunks":
            return own + self.rollup.chunks_requests()
        return (own + [("get", key(chunk)) for chunk in self.raw_chunks
                       for key in (self.data_key, self.tail_key)]
                + self.rollup.data_requests())

    def _requests(self, phase):
        if phase == "meta":
            self.rollup = None
            return [("hgetall", self.meta_key)]
        if phase == "chunks":
            if self.oldest is not None:
                return [("hgetall", self.chunks_key)]
            fields = [str(c) for c in self._chunks_to_read()]
            return [("hmget", self.chunks_key, fields)] if fields else []
        whole = [*self.rewrite, *self.sealing]
        return ([("get", key(chunk)) for chunk in whole
                 for key in (self.data_key, self.tail_key)]
                + [("get", self.tail_key(chunk)) for chunk in self.pack])

    def _chunks_to_read(self):
        return [*self.parts] + ([] if self.seal is None else [self.seal])

    def receive(self, phase, replies):
        """Take the replies to :meth:`requests` of ``phase``."""
        own, rest = replies[:self.own_replies], replies[self.own_replies:]
        getattr(self, f"_receive_{phase}")(own)
        if self.rollup is None or phase == "meta":
            return
        if phase == "chunks":
            self.rollup.receive_chunks(rest)
            self.raw_chunks = self.rollup.raw_chunks(self.chunk_ns,
                                                     self.stored)
            return
        raw = [decode_chunk(self.stored[chunk], rest[2 * i] or b"",
                             rest[2 * i + 1] or b"")
               for i, chunk in enumerate(self.raw_chunks)]
        self.rollup.receive_data(
            rest[2 * len(self.raw_chunks):],
            np.concatenate(raw) if raw else codec.decode(b""))

    def _receive_meta(self, replies):
        meta = replies[0]
        if not meta:
            raise MetricNotFound(self.metric_id)
        self.version = meta.get(b"v", b"")
        last_ts = int_or_none(meta.get(b"last_ts"))
        self.chunk_ns = chunk_ns = int(meta[b"chunk_ns"])
        roll = redis_rollup.spec_of(meta)
        records = self.records
        if roll is not None and last_ts is not None:
            # Too old to change a bucket that is still recomputable: ignored.
            records = records[records["t"] >= roll.cutoff(last_ts)]
        self.newest = last_ts
        if len(records):
            newest = int(records["t"][-1])
            self.newest = newest if last_ts is None else max(newest, last_ts)
        # The chunk the newest point leaves, to seal.
        self.seal = None
        if (last_ts is not None
                and self.newest // chunk_ns > last_ts // chunk_ns):
            self.seal = last_ts // chunk_ns
        self.oldest = series.cutoff(self.newest,
                                    int_or_none(meta.get(b"timespan_ns")))
        if roll is not None:
            self.oldest = roll.cutoff(self.newest)
            if len(records):
                self.rollup = redis_rollup.RollupChange(
                    roll, self.archive_key, records, last_ts, self.newest)
        if self.oldest is not None:
            records = records[records["t"] >= self.oldest]
        self.parts = dict(series.split_chunks(records, chunk_ns))

    def _receive_chunks(self, replies):
        if self.oldest is not None:
            fields = replies[0].items()
        else:
            fields = zip(self._chunks_to_read(), replies[0] if replies else ())
        # chunk -> Span of what is stored.
        self.stored = {int(c): Span.parse(v) for c, v in fields
                       if v is not None}
        # chunk -> new records (None: only rewritten, by retention or seal)
        self.append, self.pack, self.rewrite = {}, {}, {}
        self.expired, self.sealing = [], {}
        for chunk, part in self.parts.items():
            span = self.stored.get(chunk)
            if span is None:
                self.append[chunk] = part
            elif span.legacy or part["t"][0] <= span.last:
                self.rewrite[chunk] = part
            elif (span.tail_n + len(part) >= PACK_POINTS
                  or span.tail_frames + 1 >= TAIL_FRAMES):
                self.pack[chunk] = part
            else:
                self.append[chunk] = part
        span = self.stored.get(self.seal)
        if span is not None and not span.sealed:
            if span.legacy or self.seal in self.rewrite:
                self._to_rewrite(self.seal)
            else:
                # With the points appended to it, if any.
                part = self.append.pop(self.seal, None)
                self.sealing[self.seal] = (self.pack.pop(self.seal, None)
                                           if part is None else part)
        if self.oldest is None:
            return
        for chunk, span in self.stored.items():
            last = span.last
            if chunk in self.parts:
                last = max(last, int(self.parts[chunk]["t"][-1]))
            if last < self.oldest:
                self.expired.append(chunk)
                for plan in (self.append, self.pack, self.rewrite,
                             self.sealing):
                    plan.pop(chunk, None)
            elif series.worth_trimming(span.first, last, self.oldest):
                self._to_rewrite(chunk)

    def _to_rewrite(self, chunk):
        """Plan a rewrite of ``chunk``, with the points planned for it."""
        if chunk not in self.rewrite:
            self.rewrite[chunk] = None
            for plan in (self.append, self.pack, self.sealing):
                if chunk in plan:
                    self.rewrite[chunk] = plan.pop(chunk)

    def _receive_data(self, replies):
        replies = iter(replies)
        for chunk, part in self.rewrite.items():
            data, tail = next(replies) or b"", next(replies) or b""
            records = decode_chunk(self.stored[chunk], data, tail)
            if part is not None:
                records = series.merge(records, part)
            if self.oldest is not None:
                records = records[records["t"] >= self.oldest]
            self.rewrite[chunk] = records
        for chunk, part in self.sealing.items():
            data, tail = next(replies) or b"", next(replies) or b""
            if part is not None:
                tail += codec.encode(part, compress=False)
            self.sealing[chunk] = (codec.seal(data + tail), part)
        for chunk, part in self.pack.items():
            self.pack[chunk] = np.concatenate(
                [codec.decode(next(replies) or b""), part])

    def queue_writes(self, pipe):
        """Queue this metric's writes in the ``MULTI`` block of ``pipe``."""
        for chunk, part in self.append.items():
            span = self.stored.get(chunk, Span.empty(part))
            pipe.append(self.tail_key(chunk), codec.encode(part, False))
            pipe.hset(self.chunks_key, chunk, span.after(
                part, span.tail_n + len(part), span.tail_frames + 1,
                span.packs))
        for chunk, records in self.pack.items():
            span = self.stored[chunk]
            pipe.append(self.data_key(chunk), codec.encode(records))
            pipe.delete(self.tail_key(chunk))
            pipe.hset(self.chunks_key, chunk,
                      span.after(records, 0, 0, span.packs + 1))
        for chunk, records in self.rewrite.items():
            pipe.set(self.data_key(chunk), codec.encode(records))
            pipe.delete(self.tail_key(chunk))
            pipe.hset(self.chunks_key, chunk,
                      Span.empty(records).after(records, 0, 0, 0))
        for chunk, (data, part) in self.sealing.items():
            span = self.stored[chunk]
            if part is not None:
                span = span._replace(last=int(part["t"][-1]))
            pipe.set(self.data_key(chunk), data)
            pipe.delete(self.tail_key(chunk))
            pipe.hset(self.chunks_key, chunk, span._replace(
                tail_n=0, tail_frames=0, packs=0).value())
        for chunk in self.expired:
            pipe.delete(self.data_key(chunk), self.tail_key(chunk))
            pipe.hdel(self.chunks_key, chunk)
        if self.newest is not None:
            # Also what makes concurrent transactions on this metric retry.
            pipe.hset(self.meta_key, "last_ts", self.newest)
        if self.rollup is not None:
            self.rollup.queue_writes(pipe)


class Span(collections.namedtuple(
        "Span", "first last tail_n tail_frames packs")):
    """A stored chunk's ``chunks`` value; ``tail_n`` is ``None`` for a
    chunk written before frames (raw records in ``data``, no tail)."""

    @classmethod
    def parse(cls, value):
        fields = [int(f) for f in value.split()]
        if len(fields) == 2:
            return cls(*fields, None, None, None)
        if len(fields) != len(cls._fields):
            raise codec.CorruptData(f"bad chunk index entry {value!r}")
        return cls(*fields)

    @classmethod
    def empty(cls, records):
        """The value of a chunk about to get ``records`` as its first."""
        return cls(int(records["t"][0]), 0, 0, 0, 0)

    @property
    def legacy(self):
        return self.tail_n is None

    @property
    def sealed(self):
        """Whether nothing was added since the chunk was last rewritten or
        sealed."""
        return not self.legacy and not self.tail_n and not self.packs

    def after(self, records, tail_n, tail_frames, packs):
        """The value once ``records``, later than the stored points, are
        added."""
        return self._replace(last=int(records["t"][-1]), tail_n=tail_n,
                             tail_frames=tail_frames, packs=packs).value()

    def value(self):
        """The ``chunks`` hash value."""
        return " ".join(map(str, self))


def decode_chunk(span, data, tail):
    if span.legacy:
        return codec.decode_legacy(data + tail)
    return codec.decode(data + tail)


def decode_chunks(reply):
    """The records of the read script's ``value, data, tail`` triples."""
    triples = [reply[i:i + 3] for i in range(0, len(reply), 3)]
    spans = [Span.parse(value) for value, _, _ in triples]
    if not any(span.legacy for span in spans):
        return codec.decode(b"".join(d + t for _, d, t in triples))
    return np.concatenate([decode_chunk(span, d, t) for span, (_, d, t)
                           in zip(spans, triples)] or [codec.decode(b"")])


def int_or_none(value):
    return None if value in (None, b"", "") else int(value)
