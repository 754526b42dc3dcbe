"""Shared storage in Redis, for several API hosts using one store.

Keys, under a configurable prefix (on a Redis Cluster, ``<id>`` is written
``{<id>}`` and the metric document has a key of its own:
:mod:`.redis_layout`)::

    metrics            hash  id -> metric JSON document
    meta:<id>          hash  chunk_ns, timespan_ns, last_ts (newest point),
                             v (version token of the cluster's writes)
    chunks:<id>        hash  chunk index ->
                             "first_ts last_ts tail_n tail_frames packs"
    data:<id>:<chunk>  string of compressed frames (:mod:`.codec`), ``packs``
                       of them appended since it was last rewritten
    tail:<id>:<chunk>  string of ``tail_frames`` raw frames holding
                       ``tail_n`` points, later than those of ``data``
    doc:<kind>         hash  name -> JSON document (archive policies, rules)

and the archives of metrics with a rollup spec (:mod:`.redis_rollup`),
written in the ``MULTI`` of the write that changes them.

Appending after the end of a chunk is a Redis ``APPEND`` of a raw frame to
its tail (amortised O(1), nothing read back); once the tail would reach
:data:`PACK_POINTS` points or :data:`TAIL_FRAMES` frames, the tail and the
new points are compressed into a frame appended to ``data`` instead, so
each point is compressed once, the raw tail stays small and few frames are
left to decode. When the metric's newest point moves to a later chunk, the
chunk it left is sealed (:func:`.codec.seal`: about 0.7 byte per point for
one-decimal values at regular intervals, 7 for float64 noise). Points
landing inside a chunk's range rewrite it as one frame.

A chunk whose ``chunks`` value has two fields (``"first_ts last_ts"``) was
written before frames existed: its ``data`` holds raw 16-byte records. It is
read as such and rewritten as frames by the first write touching it, so
upgrading needs no migration (but every host must run this version before
any writes: an older one would misread frames).

Writes are optimistic transactions: ``WATCH`` the ``meta`` keys of the
batch, read what the change depends on, then ``MULTI``/``EXEC`` the writes,
which also rewrite each ``meta`` key, so that a concurrent writer of any of
those metrics, on any host, makes ``EXEC`` fail and the batch is replanned.
On a Redis Cluster a transaction covers one hash slot, so a batch is
checked whole, then each metric's writes run as one script that first
checks the ``v`` token of ``meta`` read with it, which every writer of the
metric's series changes (:meth:`_add_per_metric`).
Reads run as one Lua script, an atomic snapshot.
"""
import collections
import contextlib
import functools
import hashlib
import json
import os
import time
import urllib.parse

import numpy as np
import orjson
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from statsvc.storage import base
from statsvc.storage import codec
from statsvc.storage import redis_cluster
from statsvc.storage import redis_connection
from statsvc.storage import redis_layout
from statsvc.storage import redis_rollup
from statsvc.storage import rollup
from statsvc.storage import series
from statsvc.storage.exceptions import (
    DocumentAlreadyExists, DocumentConflict, DocumentNotFound,
    MetricAlreadyExists, MetricNotFound, StorageUnavailable)

# KEYS: meta, chunks, then the data and tail keys of the chunks ARGV[4..]
# (in time order), those the caller found in [ARGV[2], ARGV[3]]: a script
# must name every key it touches (Redis Cluster routes it by them).
# Returns false for a missing metric, {chunk_ns} when chunk_ns differs from
# ARGV[1] (metric recreated meanwhile) or the chunks in range are no longer
# those of ARGV[4..] (written meanwhile), else {chunk_ns, timespan_ns,
# last_ts, then for each chunk: its chunks value, data and tail}.
_READ_SCRIPT = """
local meta = redis.call('HMGET', KEYS[1], 'chunk_ns', 'timespan_ns', 'last_ts')
if not meta[1] then return false end
if meta[1] ~= ARGV[1] then return {meta[1]} end
local lo, hi = tonumber(ARGV[2]), tonumber(ARGV[3])
local fields = redis.call('HGETALL', KEYS[2])
local found = 0
for i = 1, #fields, 2 do
  local c = tonumber(fields[i])
  if c >= lo and c <= hi then found = found + 1 end
end
if found ~= #ARGV - 3 then return {meta[1]} end
local out = {meta[1], meta[2] or '', meta[3] or ''}
for i = 4, #ARGV do
  local value = redis.call('HGET', KEYS[2], ARGV[i])
  if not value then return {meta[1]} end
  table.insert(out, value)
  table.insert(out, redis.call('GET', KEYS[2 * i - 5]) or '')
  table.insert(out, redis.call('GET', KEYS[2 * i - 4]) or '')
end
return out
"""

# Replaces field ARGV[1] of hash KEYS[1] by ARGV[2] if it exists and, when
# ARGV[3] is given, still holds ARGV[3]: 1 if replaced, 0 if missing, -1 if
# it holds something else.
_REPLACE_SCRIPT = """
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then return 0 end
if ARGV[3] and current ~= ARGV[3] then return -1 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
"""

# Chunk indices travel through Lua doubles; a span of at least a second keeps
# them far below 2**53.
_MIN_CHUNK_NS = 10**9

#: A chunk's raw tail is compressed before it reaches this many points
#: (64 KiB): below it, appending raw costs less than compressing.
PACK_POINTS = 4096
#: ... or this many frames: each costs a few microseconds to decode.
TAIL_FRAMES = 64


class RedisDriver(base.StorageDriver):
    """Store metrics in Redis.

    Options: ``url`` (default ``redis://127.0.0.1:6379/0``; a
    ``sentinel://`` URL, or ``sentinels`` and ``service_name``, follow a
    Sentinel-managed master: :mod:`.redis_connection`), ``key_prefix``
    (default ``statsvc:``), ``socket_timeout`` and ``socket_connect_timeout``
    (seconds, default 2), ``min_replicas`` (writes are acknowledged once that
    many replicas applied them, default 0; not with a cluster) within
    ``wait_timeout_ms`` (default 1000), ``cluster`` (``true``: ``url`` is a
    node of a Redis Cluster, as with a ``redis+cluster://`` URL),
    ``chunk_seconds`` (see
    :class:`~statsvc.storage.base.StorageDriver`).

    :raises StorageUnavailable: if Redis does not answer a ``PING``.
    """

    name = "redis"

    def __init__(self, options):
        super().__init__(options)
        if self.chunk_ns < _MIN_CHUNK_NS:
            raise ValueError("the redis driver needs chunk_seconds >= 1")
        self.url = redis_connection.url_of(self.options)
        self.prefix = self.options.get("key_prefix", "statsvc:")
        timeouts = dict(
            socket_timeout=float(self.options.get("socket_timeout", 2)),
            socket_connect_timeout=float(
                self.options.get("socket_connect_timeout", 2)))
        self.cluster = redis_cluster.wanted(self.url, self.options)
        if self.cluster:
            if int(self.options.get("min_replicas", 0)):
                raise ValueError("the redis driver's min_replicas works with "
                                 "one Redis or Sentinel, not a cluster")
            self._layout = redis_layout.ClusterLayout(self.prefix)
            self._redis = redis_cluster.connect(self.url, **timeouts)
        else:
            self._layout = redis_layout.SingleLayout(self.prefix)
            # One retry reconnects a pooled connection that died with a
            # Redis restart; more would multiply the wait when Redis is down.
            self._redis = redis_connection.connect(
                self.url, self.options, retry=Retry(NoBackoff(), 1),
                **timeouts)
        self._read_script = _Script(self._redis, _READ_SCRIPT)
        self._replace_script = _Script(self._redis, _REPLACE_SCRIPT)
        self._archive_script = _Script(self._redis, redis_rollup.READ_SCRIPT)
        self._apply_script = _Script(self._redis, redis_cluster.APPLY_SCRIPT)
        self.check()

    # Key names.
    def _meta_key(self, metric_id):
        return self._layout.meta_key(metric_id)

    def _chunks_key(self, metric_id):
        return self._layout.chunks_key(metric_id)

    def _data_key(self, metric_id, chunk=""):
        return self._layout.data_key(metric_id, chunk)

    def _tail_key(self, metric_id, chunk=""):
        return self._layout.tail_key(metric_id, chunk)

    def _archive_key(self, metric_id, grain):
        return self._layout.archive_key(metric_id, grain)

    def _doc_key(self, kind):
        return self._layout.doc_key(kind)

    @contextlib.contextmanager
    def _errors(self):
        try:
            yield
        except (redis.ConnectionError, redis.TimeoutError,
                *redis_cluster.UNAVAILABLE) as exc:
            raise StorageUnavailable(
                f"redis at {_redacted(self.url)}: {exc}") from exc

    def _transaction(self, metric_ids, plan):
        """Run ``plan(pipeline)`` until its writes commit atomically.

        ``plan`` reads (with :attr:`_redis`), may raise, then calls
        ``pipeline.multi()`` and queues the writes; the ``meta`` keys of
        ``metric_ids`` are watched meanwhile.
        """
        began = time.monotonic()
        with self._errors(), self._redis.pipeline(transaction=True) as pipe:
            while True:
                try:
                    pipe.watch(*map(self._meta_key, metric_ids))
                    plan(pipe)
                    pipe.execute()
                    return
                except redis.WatchError:
                    pipe.reset()
                except redis_cluster.MIGRATING:
                    pipe.reset()
                    redis_cluster.settle(began)

    def create_metric(self, metric):
        metric_id = metric["id"]
        meta = {"chunk_ns": self.chunk_ns}
        timespan = base.retention_of(metric)
        if timespan is not None:
            meta["timespan_ns"] = timespan
        if metric.get("rollup") is not None:
            meta["rollup"] = json.dumps(metric["rollup"])

        def plan(pipe):
            if pipe.exists(self._meta_key(metric_id)):
                raise MetricAlreadyExists(metric_id)
            pipe.multi()
            self._layout.put_metric(pipe, metric_id, json.dumps(metric))
            pipe.hset(self._meta_key(metric_id), mapping=meta)

        self._transaction([metric_id], plan)
        return metric

    def get_metric(self, metric_id):
        with self._errors():
            doc = self._layout.get_metric(self._redis, metric_id)
        if doc is None:
            raise MetricNotFound(metric_id)
        return orjson.loads(doc)

    def list_metrics(self):
        with self._errors():
            return self._layout.list_metrics(self._redis)

    def delete_metric(self, metric_id):
        def plan(pipe):
            if not pipe.exists(self._meta_key(metric_id)):
                raise MetricNotFound(metric_id)
            chunks = pipe.hkeys(self._chunks_key(metric_id))
            roll = redis_rollup.spec_of(pipe.hgetall(self._meta_key(metric_id)))
            pipe.multi()
            self._layout.drop_metric(pipe, metric_id)
            data_keys = [key(metric_id, c.decode()) for c in chunks
                         for key in (self._data_key, self._tail_key)]
            if roll is not None:
                data_keys += [self._archive_key(metric_id, g)
                              for g, _ in roll.grains]
            pipe.delete(self._meta_key(metric_id), self._chunks_key(metric_id),
                        *data_keys)

        self._transaction([metric_id], plan)

    def relabel_metric(self, metric_id, name, resource_id):
        meta_key = self._meta_key(metric_id)

        def plan(pipe):
            # The dict lives apart from meta: watch it too.
            pipe.watch(self._layout.metric_doc_key(metric_id))
            doc = self._layout.get_metric(pipe, metric_id)
            if doc is None or not pipe.exists(meta_key):
                raise MetricNotFound(metric_id)
            doc = dict(orjson.loads(doc), name=name, resource_id=resource_id)
            pipe.multi()
            self._layout.put_metric(pipe, metric_id, json.dumps(doc))
            # Makes set_rollup, which watches only meta and
            # rewrite the dict, retry instead of undoing this.
            pipe.hincrby(meta_key, "labels", 1)

        self._transaction([metric_id], plan)

    def set_rollup(self, metric_id, spec):
        meta_key = self._meta_key(metric_id)

        def plan(pipe):
            doc = self._layout.get_metric(pipe, metric_id)
            meta = pipe.hgetall(meta_key)
            if doc is None or not meta:
                raise MetricNotFound(metric_id)
            blobs, expired, dropped = {}, [], {}
            last_ts = _int_or_none(meta.get(b"last_ts"))
            old = redis_rollup.spec_of(meta)
            if old is not None and last_ts is not None:
                blobs, dropped = redis_rollup.trim(
                    pipe, functools.partial(self._archive_key, metric_id),
                    old, last_ts)
            elif last_ts is not None:
                # Upgrade: archives from every raw point kept so far.
                roll = rollup.Rollup(spec)
                ts, values = self.get_measures(metric_id)
                raw = np.empty(len(ts), dtype=series.RECORD)
                raw["t"], raw["v"] = ts, values
                blobs = roll.rebuild(raw, last_ts)
                oldest = roll.cutoff(last_ts)
                expired = [int(c) for c, v in pipe.hgetall(
                    self._chunks_key(metric_id)).items()
                    if _Span.parse(v).last < oldest]
            pipe.multi()
            self._layout.put_metric(pipe, metric_id, json.dumps(
                dict(json.loads(doc), rollup=spec)))
            # Rewriting meta also makes concurrent writers of it retry:
            # those watching it, and the cluster's scripts checking "v".
            pipe.hset(meta_key, mapping={"rollup": json.dumps(spec),
                                         "v": os.urandom(8).hex()})
            for (grain, chunk), blob in blobs.items():
                pipe.hset(self._archive_key(metric_id, grain), chunk, blob)
            for grain, fields in dropped.items():
                if fields:
                    pipe.hdel(self._archive_key(metric_id, grain), *fields)
            for chunk in expired:
                pipe.delete(self._data_key(metric_id, chunk),
                            self._tail_key(metric_id, chunk))
                pipe.hdel(self._chunks_key(metric_id), chunk)

        self._transaction([metric_id], plan)

    def get_archive(self, metric_id, granularity_ns, method, start=None,
                    stop=None):
        first, last = series.chunk_range(
            start, stop, granularity_ns * rollup.CHUNK_BUCKETS)
        with self._errors():
            reply = self._archive_script(
                keys=[self._meta_key(metric_id),
                      self._archive_key(metric_id, granularity_ns)],
                args=["-1e300" if first is None else first,
                      "1e300" if last is None else last])
        if reply is None:
            raise MetricNotFound(metric_id)
        return redis_rollup.read(reply, granularity_ns, method, start, stop)

    def add_measures(self, batch):
        """See :meth:`.StorageDriver.add_measures`.

        On a Redis Cluster a transaction covers one hash slot: the batch is
        checked whole (every metric exists, or nothing is written), then
        committed one metric at a time. A batch cut short by an unreachable
        shard raises :class:`StorageUnavailable` with some slots written:
        nothing was acknowledged, and writing it again is harmless (a point
        at a stored timestamp replaces it).
        """
        normalized = {metric_id: series.normalize(t, v)
                      for metric_id, (t, v) in batch.items()}
        if not normalized:
            return
        if self.cluster:
            self._add_per_metric(normalized)
            return

        def plan(pipe):
            changes = [_MetricChange(self, metric_id, records)
                       for metric_id, records in normalized.items()]
            for phase in _MetricChange.PHASES:
                self._read_round(changes, phase)
            pipe.multi()
            for change in changes:
                change.queue_writes(pipe)

        self._transaction(list(normalized), plan)

    def _add_per_metric(self, normalized):
        """Add ``{metric_id: records}`` on a cluster: every metric's reads
        in one round trip per phase, then one atomic script per metric
        (:data:`.redis_cluster.APPLY_SCRIPT`), all in one round trip; the
        metrics whose script found another write first are planned again.
        The first plan raises :class:`MetricNotFound` before any write; a
        metric deleted after it is left out, as if deleted after this."""
        began, first = time.monotonic(), True
        with self._errors():
            while normalized:
                changes = [_MetricChange(self, metric_id, records)
                           for metric_id, records in normalized.items()]
                try:
                    for phase in _MetricChange.PHASES:
                        self._read_round(changes, phase)
                except MetricNotFound as exc:
                    if first:
                        raise
                    del normalized[exc.metric_id]
                    continue
                first = False
                applied = self._apply(changes)
                if not all(applied):
                    redis_cluster.settle(began)
                normalized = {change.metric_id: change.records
                              for change, done in zip(changes, applied)
                              if not done}

    def _apply(self, changes):
        """Run each change's writes as one script; whether each ran."""
        scripts = self._redis.pipeline(transaction=False)
        writes = []
        for change in changes:
            queued = redis_cluster.Writes(change.meta_key, change.version,
                                          os.urandom(8).hex())
            change.queue_writes(queued)
            writes.append(queued)
            # redis-py blocks the evalsha method of cluster pipelines, not
            # the command; naming the node spares it asking a server for
            # the script's keys (COMMAND GETKEYS), a round trip each.
            scripts.execute_command(
                "EVALSHA", self._apply_script.sha, len(queued.keys),
                *queued.keys, *queued.args,
                target_nodes=self._redis.get_node_from_key(change.meta_key))
        applied = []
        for queued, reply in zip(writes, scripts.execute(
                raise_on_error=False)):
            if isinstance(reply, redis.exceptions.NoScriptError):
                # A node restarted since: EVAL loads it there.
                reply = self._apply_script(queued.keys, queued.args)
            elif isinstance(reply, redis_cluster.MIGRATING):
                reply = 0
            elif isinstance(reply, Exception):
                raise reply
            applied.append(reply == 1)
        return applied

    def _read_round(self, changes, phase):
        """Send the reads of one phase of every change in one round trip."""
        reads = self._redis.pipeline(transaction=False)
        counts = []
        for change in changes:
            requests = change.requests(phase)
            for command, *args in requests:
                getattr(reads, command)(*args)
            counts.append(len(requests))
        replies = iter(reads.execute())
        for change, count in zip(changes, counts):
            change.receive(phase, [next(replies) for _ in range(count)])

    def get_measures(self, metric_id, start=None, stop=None):
        meta_key, chunks_key = (self._meta_key(metric_id),
                                self._chunks_key(metric_id))
        with self._errors():
            while True:
                lookup = self._redis.pipeline(transaction=False)
                lookup.hget(meta_key, "chunk_ns")
                lookup.hkeys(chunks_key)
                chunk_ns, stored = lookup.execute()
                if chunk_ns is None:
                    raise MetricNotFound(metric_id)
                first, last = series.chunk_range(start, stop, int(chunk_ns))
                chunks = sorted(c for c in map(int, stored)
                                if (first is None or c >= first)
                                and (last is None or c <= last))
                reply = self._read_script(
                    keys=[meta_key, chunks_key,
                          *(key(metric_id, c) for c in chunks
                            for key in (self._data_key, self._tail_key))],
                    args=[chunk_ns, "-1e300" if first is None else first,
                          "1e300" if last is None else last, *chunks])
                if reply is None:
                    raise MetricNotFound(metric_id)
                if len(reply) > 1:
                    break
        _, timespan, last_ts, *chunks = reply
        records = _decode_chunks(chunks)
        oldest = series.cutoff(_int_or_none(last_ts), _int_or_none(timespan))
        return series.select(records, series.later_bound(start, oldest), stop)

    def _acknowledged(self):
        """A client for a document write, waiting for ``min_replicas``
        (:meth:`.redis_connection.Client.acknowledged`); a cluster's has
        no such option."""
        if self.cluster:
            return contextlib.nullcontext(self._redis)
        return self._redis.acknowledged()

    def create_document(self, kind, name, doc):
        with self._errors(), self._acknowledged() as client:
            created = client.hsetnx(self._doc_key(kind), name,
                                    json.dumps(doc))
        if not created:
            raise DocumentAlreadyExists(kind, name)

    def get_document(self, kind, name):
        with self._errors():
            doc = self._redis.hget(self._doc_key(kind), name)
        if doc is None:
            raise DocumentNotFound(kind, name)
        return orjson.loads(doc)

    def list_documents(self, kind):
        with self._errors():
            docs = self._redis.hvals(self._doc_key(kind))
        return [orjson.loads(doc) for doc in docs]

    def replace_document(self, kind, name, doc, expected=None):
        args = [name, json.dumps(doc)]
        with self._errors(), self._acknowledged() as client:
            if expected is not None:
                # Compared as documents, then swapped only if the text
                # read is still there: the stored text may be spelled
                # differently (an older version wrote it).
                stored = self._redis.hget(self._doc_key(kind), name)
                if stored is not None and orjson.loads(stored) != expected:
                    raise DocumentConflict(kind, name)
                args.append(stored or b"")
            replaced = self._replace_script(keys=[self._doc_key(kind)],
                                            args=args, client=client)
        if replaced == -1:
            raise DocumentConflict(kind, name)
        if not replaced:
            raise DocumentNotFound(kind, name)

    def delete_document(self, kind, name):
        with self._errors(), self._acknowledged() as client:
            deleted = client.hdel(self._doc_key(kind), name)
        if not deleted:
            raise DocumentNotFound(kind, name)

    def check(self):
        with self._errors():
            self._redis.ping()

    def close(self):
        self._redis.close()


class _MetricChange:
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
        raw = [_decode_chunk(self.stored[chunk], rest[2 * i] or b"",
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
        last_ts = _int_or_none(meta.get(b"last_ts"))
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
                                    _int_or_none(meta.get(b"timespan_ns")))
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
        # chunk -> _Span of what is stored.
        self.stored = {int(c): _Span.parse(v) for c, v in fields
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
            records = _decode_chunk(self.stored[chunk], data, tail)
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
            span = self.stored.get(chunk, _Span.empty(part))
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
                      _Span.empty(records).after(records, 0, 0, 0))
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


class _Script:
    """A Lua script run by its SHA1, sent whole to a node lacking it.

    Unlike redis-py's ``register_script``, whose ``SCRIPT LOAD`` goes to
    every primary of a cluster, this works while another shard is down.
    """

    def __init__(self, client, source):
        self.client = client
        self.source = source
        self.sha = hashlib.sha1(source.encode()).hexdigest()

    def __call__(self, keys, args, client=None):
        client = client or self.client
        try:
            return client.evalsha(self.sha, len(keys), *keys, *args)
        except redis.exceptions.NoScriptError:
            # EVAL caches the script on that node for the next EVALSHA.
            return client.eval(self.source, len(keys), *keys, *args)


class _Span(collections.namedtuple(
        "_Span", "first last tail_n tail_frames packs")):
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


def _decode_chunk(span, data, tail):
    if span.legacy:
        return codec.decode_legacy(data + tail)
    return codec.decode(data + tail)


def _decode_chunks(reply):
    """The records of the read script's ``value, data, tail`` triples."""
    triples = [reply[i:i + 3] for i in range(0, len(reply), 3)]
    spans = [_Span.parse(value) for value, _, _ in triples]
    if not any(span.legacy for span in spans):
        return codec.decode(b"".join(d + t for _, d, t in triples))
    return np.concatenate([_decode_chunk(span, d, t) for span, (_, d, t)
                           in zip(spans, triples)] or [codec.decode(b"")])


def _int_or_none(value):
    return None if value in (None, b"", "") else int(value)


def _redacted(url):
    """The URL without its password, for error messages."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()
