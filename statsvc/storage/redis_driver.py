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
    doc:<kind>         hash  name -> JSON document (resources, archive
                             policies...), indexed (:mod:`.redis_documents`)

and the archives of metrics with a rollup spec (:mod:`.redis_rollup`),
written in the ``MULTI`` of the write that changes them.

Appending after the end of a chunk is a Redis ``APPEND`` of a raw frame to
its tail (amortised O(1), nothing read back); once the tail would reach
:data:`.redis_write.PACK_POINTS` points or :data:`.redis_write.TAIL_FRAMES`
frames, the tail and the new points are compressed into a frame appended to ``data`` instead, so
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
import contextlib
import functools
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
from statsvc.storage import redis_cluster
from statsvc.storage import redis_connection
from statsvc.storage import redis_documents
from statsvc.storage import redis_layout
from statsvc.storage import redis_rollup
from statsvc.storage import redis_write
from statsvc.storage import rollup
from statsvc.storage import series
from statsvc.storage.redis_connection import Script
from statsvc.storage.exceptions import (
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

# Chunk indices travel through Lua doubles; a span of at least a second keeps
# them far below 2**53.
_MIN_CHUNK_NS = 10**9


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
        self._read_script = Script(self._redis, _READ_SCRIPT)
        self._archive_script = Script(self._redis, redis_rollup.READ_SCRIPT)
        self._apply_script = Script(self._redis, redis_cluster.APPLY_SCRIPT)
        self._documents = redis_documents.Documents(
            self._redis, self._layout, self._acknowledged, self._errors)
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

    @contextlib.contextmanager
    def _errors(self):
        try:
            yield
        except (redis.ConnectionError, redis.TimeoutError,
                *redis_cluster.UNAVAILABLE) as exc:
            raise StorageUnavailable(
                f"redis at {_redacted(self.url)}: {exc}") from exc

    def _transaction(self, metric_ids, plan, settled=None):
        """Run ``plan(pipeline)`` until its writes commit atomically.

        ``plan`` reads (with :attr:`_redis`), may raise, then calls
        ``pipeline.multi()`` and queues the writes; the ``meta`` keys of
        ``metric_ids`` are watched meanwhile.

        A connection lost once ``EXEC`` was sent leaves the outcome
        unknown: the writes may have been applied, and redis-py reports it
        as a :class:`redis.WatchError` as if another writer had come first.
        Planned again, a write must then not take its own effect for
        someone else's: ``settled(pipeline)``, asked first on such a
        retry, says whether the writes are already in the store (create
        and delete need it; writing the same points and archives again is
        harmless).
        """
        began, lost = time.monotonic(), False
        with self._errors(), self._redis.pipeline(transaction=True) as pipe:
            while True:
                sent = False
                try:
                    pipe.watch(*map(self._meta_key, metric_ids))
                    if lost and settled is not None and settled(pipe):
                        return
                    plan(pipe)
                    sent = True
                    pipe.execute()
                    return
                except redis.WatchError as exc:
                    lost = lost or (sent and _connection_lost(exc))
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

        def settled(pipe):
            stored = self._layout.get_metric(pipe, metric_id)
            return stored is not None and orjson.loads(stored) == \
                orjson.loads(json.dumps(metric))

        self._transaction([metric_id], plan, settled)
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

        self._transaction([metric_id], plan, lambda pipe: not pipe.exists(
            self._meta_key(metric_id)))

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
            last_ts = redis_write.int_or_none(meta.get(b"last_ts"))
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
                    if redis_write.Span.parse(v).last < oldest]
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
            changes = [redis_write.MetricChange(self, metric_id, records)
                       for metric_id, records in normalized.items()]
            for phase in redis_write.MetricChange.PHASES:
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
                changes = [redis_write.MetricChange(self, metric_id, records)
                           for metric_id, records in normalized.items()]
                try:
                    for phase in redis_write.MetricChange.PHASES:
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
        records = redis_write.decode_chunks(chunks)
        oldest = series.cutoff(redis_write.int_or_none(last_ts), redis_write.int_or_none(timespan))
        return series.select(records, series.later_bound(start, oldest), stop)

    def _acknowledged(self):
        """A client for a document write, waiting for ``min_replicas``
        (:meth:`.redis_connection.Client.acknowledged`); a cluster's has
        no such option."""
        if self.cluster:
            return contextlib.nullcontext(self._redis)
        return self._redis.acknowledged()

    def create_document(self, kind, name, doc):
        self._documents.create(kind, name, doc)

    def get_document(self, kind, name):
        return self._documents.get(kind, name)

    def list_documents(self, kind):
        return self._documents.list(kind)

    def find_documents(self, kind, field, values):
        if field not in base.INDEXED_FIELDS:
            return super().find_documents(kind, field, values)
        return self._documents.find(kind, field, values)

    def sorted_documents(self, kind, order, field=None, values=()):
        if field is None and list(order) == base.LISTING_SORT:
            return self._documents.listed(kind)
        return super().sorted_documents(kind, order, field, values)

    def replace_document(self, kind, name, doc, expected=None):
        self._documents.replace(kind, name, doc, expected)

    def delete_document(self, kind, name):
        self._documents.delete(kind, name)

    def check(self):
        with self._errors():
            self._redis.ping()

    def close(self):
        self._redis.close()


def _connection_lost(exc):
    """Whether redis-py raised the :class:`redis.WatchError` ``exc`` for a
    lost connection (with it as the context), not for a watched key that
    changed."""
    return isinstance(exc.__context__, (redis.ConnectionError,
                                        redis.TimeoutError))


def _redacted(url):
    """The URL without its password, for error messages."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()
