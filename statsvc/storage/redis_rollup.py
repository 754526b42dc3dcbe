"""The Redis driver's archives (:mod:`.rollup`), in the transaction of a write.

Keys, under the driver's prefix::

    archive:<id>:<granularity_ns>  hash  archive chunk index -> blob

The metric's rollup spec is the ``rollup`` field of its ``meta`` hash (JSON),
so that it is read, and watched, with the rest of the metric's state.
"""
import json

import numpy as np

from statsvc.storage import rollup
from statsvc.storage import series

# Returns false for a missing metric, else {last_ts, rollup spec, then the
# blobs of archive hash KEYS[2]'s chunks in [ARGV[1], ARGV[2]] in order}.
READ_SCRIPT = """
local meta = redis.call('HMGET', KEYS[1], 'chunk_ns', 'last_ts', 'rollup')
if not meta[1] then return false end
local lo, hi = tonumber(ARGV[1]), tonumber(ARGV[2])
local chunks = {}
for _, field in ipairs(redis.call('HKEYS', KEYS[2])) do
  local c = tonumber(field)
  if c >= lo and c <= hi then table.insert(chunks, {c, field}) end
end
table.sort(chunks, function(a, b) return a[1] < b[1] end)
local out = {meta[2] or '', meta[3] or ''}
for _, chunk in ipairs(chunks) do
  table.insert(out, redis.call('HGET', KEYS[2], chunk[2]))
end
return out
"""


def spec_of(meta):
    """The :class:`.rollup.Rollup` of a ``meta`` hash reply, or ``None``."""
    spec = meta.get(b"rollup")
    return None if not spec else rollup.Rollup(json.loads(spec))


class RollupChange:
    """The archive part of a write to one metric (``_MetricChange``):
    reads in the driver's phases, then writes queued in its ``MULTI``.

    :param archive_key: ``grain -> key`` of the metric's archive hashes.
    """

    def __init__(self, roll, archive_key, records, last_ts, newest):
        self.roll = roll
        self.archive_key = archive_key
        self.records = records
        self.last_ts = last_ts
        self.newest = newest
        start, self.stop = roll.raw_span(records)
        self.start = series.later_bound(start, roll.cutoff(last_ts))
        self.keys = sorted(roll.chunks_to_write(records, last_ts, newest))

    def raw_chunks(self, chunk_ns, stored):
        """The raw chunks (of ``stored``) holding points the update needs."""
        first, last = series.chunk_range(self.start, self.stop, chunk_ns)
        return sorted(c for c in stored if first <= c <= last)

    def chunks_requests(self):
        """Reads of the ``chunks`` phase: the archive chunk indexes."""
        return [("hkeys", self.archive_key(g)) for g, _ in self.roll.grains]

    def receive_chunks(self, replies):
        first_kept = self.roll.first_kept_chunks(self.newest)
        self.expired = {}
        for (grain, _), fields in zip(self.roll.grains, replies):
            limit = first_kept.get(grain)
            if limit is not None:
                self.expired[grain] = [f for f in fields if int(f) < limit]

    def data_requests(self):
        """Reads of the ``data`` phase: the archive chunks to rewrite."""
        return [("hget", self.archive_key(g), c) for g, c in self.keys]

    def receive_data(self, replies, stored_raw):
        """Compute the new blobs from the replies to :meth:`data_requests`
        and the stored raw records of :meth:`raw_chunks`."""
        stored_raw = series.select(stored_raw, self.start, self.stop)
        raw = np.empty(len(stored_raw[0]), dtype=series.RECORD)
        raw["t"], raw["v"] = stored_raw
        raw = series.merge(raw, self.records)
        self.blobs = self.roll.update(raw, self.records,
                                      dict(zip(self.keys, replies)),
                                      self.newest)

    def queue_writes(self, pipe):
        for (grain, chunk), blob in self.blobs.items():
            pipe.hset(self.archive_key(grain), chunk, blob)
        for grain, fields in self.expired.items():
            if fields:
                pipe.hdel(self.archive_key(grain), *fields)


def trim(client, archive_key, roll, newest):
    """The rewritten blobs ``{(grain, chunk): blob}`` and dropped fields
    ``{grain: [chunk]}`` that drop the buckets ``roll`` no longer keeps
    (:meth:`.Rollup.trims`)."""
    blobs, dropped = {}, {}
    for grain, oldest in roll.trims(newest).items():
        first = oldest // (grain * rollup.CHUNK_BUCKETS)
        fields = client.hkeys(archive_key(grain))
        dropped[grain] = [f for f in fields if int(f) < first]
        blob = client.hget(archive_key(grain), first)
        if blob is not None:
            blobs[grain, first] = rollup.trimmed(blob, oldest)
    return blobs, dropped


def read(reply, granularity_ns, method, start, stop):
    """``(timestamps, values)`` of one archive from :data:`READ_SCRIPT`'s
    reply (not ``None``)."""
    last_ts, spec, *blobs = reply
    roll = None if not spec else rollup.Rollup(json.loads(spec))
    if roll is None or method not in roll.methods \
            or granularity_ns not in dict(roll.grains):
        return rollup.read([], method)
    oldest = roll.oldest_bucket(granularity_ns, roll.points(granularity_ns),
                                None if not last_ts else int(last_ts))
    return rollup.read(blobs, method, series.later_bound(start, oldest), stop)
