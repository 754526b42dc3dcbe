"""Shared storage in Redis, for several API hosts using one store.

Keys, under a configurable prefix::

    metrics            hash  id -> metric JSON document
    meta:<id>          hash  chunk_ns, timespan_ns, last_ts (newest point)
    chunks:<id>        hash  chunk index -> "first_ts last_ts"
    data:<id>:<chunk>  string of sorted records (:mod:`.series`)
    doc:<kind>         hash  name -> JSON document (archive policies, rules)

Appending after the end of a chunk is a Redis ``APPEND`` (amortised O(1),
nothing read back); only points landing inside a chunk's range rewrite it.

Writes are optimistic transactions: ``WATCH`` the ``meta`` keys of the
batch, read what the change depends on, then ``MULTI``/``EXEC`` the writes,
which also rewrite each ``meta`` key, so that a concurrent writer of any of
those metrics, on any host, makes ``EXEC`` fail and the batch is replanned.
Reads run as one Lua script, an atomic snapshot.
"""
import contextlib
import functools
import json
import urllib.parse

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from statsvc.storage import base
from statsvc.storage import series
from statsvc.storage.exceptions import (
    DocumentAlreadyExists, DocumentNotFound, MetricAlreadyExists,
    MetricNotFound, StorageUnavailable)

# Returns false for a missing metric, {chunk_ns} when chunk_ns differs from
# ARGV[1] (metric recreated meanwhile), else {chunk_ns, timespan_ns, last_ts,
# data of each chunk in [ARGV[2], ARGV[3]] in time order}.
_READ_SCRIPT = """
local meta = redis.call('HMGET', KEYS[1], 'chunk_ns', 'timespan_ns', 'last_ts')
if not meta[1] then return false end
if meta[1] ~= ARGV[1] then return {meta[1]} end
local lo, hi = tonumber(ARGV[2]), tonumber(ARGV[3])
local chunks = {}
for _, field in ipairs(redis.call('HKEYS', KEYS[2])) do
  local c = tonumber(field)
  if c >= lo and c <= hi then table.insert(chunks, {c, field}) end
end
table.sort(chunks, function(a, b) return a[1] < b[1] end)
local out = {meta[1], meta[2] or '', meta[3] or ''}
for _, chunk in ipairs(chunks) do
  table.insert(out, redis.call('GET', ARGV[4] .. chunk[2]) or '')
end
return out
"""

# Replaces field ARGV[1] of hash KEYS[1] by ARGV[2] if it exists; 1 if so.
_REPLACE_SCRIPT = """
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
"""

# Chunk indices travel through Lua doubles; a span of at least a second keeps
# them far below 2**53.
_MIN_CHUNK_NS = 10**9


class RedisDriver(base.StorageDriver):
    """Store metrics in Redis.

    Options: ``url`` (default ``redis://127.0.0.1:6379/0``), ``key_prefix``
    (default ``statsvc:``), ``socket_timeout`` and ``socket_connect_timeout``
    (seconds, default 2), ``chunk_seconds`` (see
    :class:`~statsvc.storage.base.StorageDriver`).

    :raises StorageUnavailable: if Redis does not answer a ``PING``.
    """

    name = "redis"

    def __init__(self, options):
        super().__init__(options)
        if self.chunk_ns < _MIN_CHUNK_NS:
            raise ValueError("the redis driver needs chunk_seconds >= 1")
        self.url = self.options.get("url") or "redis://127.0.0.1:6379/0"
        self.prefix = self.options.get("key_prefix", "statsvc:")
        self._redis = redis.Redis.from_url(
            self.url,
            socket_timeout=float(self.options.get("socket_timeout", 2)),
            socket_connect_timeout=float(
                self.options.get("socket_connect_timeout", 2)),
            # One retry reconnects a pooled connection that died with a
            # Redis restart; more would multiply the wait when Redis is down.
            retry=Retry(NoBackoff(), 1))
        self._read_script = self._redis.register_script(_READ_SCRIPT)
        self._replace_script = self._redis.register_script(_REPLACE_SCRIPT)
        self.check()

    # Key names.
    def _metrics_key(self):
        return self.prefix + "metrics"

    def _meta_key(self, metric_id):
        return f"{self.prefix}meta:{metric_id}"

    def _chunks_key(self, metric_id):
        return f"{self.prefix}chunks:{metric_id}"

    def _data_key(self, metric_id, chunk=""):
        return f"{self.prefix}data:{metric_id}:{chunk}"

    def _doc_key(self, kind):
        return f"{self.prefix}doc:{kind}"

    @contextlib.contextmanager
    def _errors(self):
        try:
            yield
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            raise StorageUnavailable(
                f"redis at {_redacted(self.url)}: {exc}") from exc

    def _transaction(self, metric_ids, plan):
        """Run ``plan(pipeline)`` until its writes commit atomically.

        ``plan`` reads (with :attr:`_redis`), may raise, then calls
        ``pipeline.multi()`` and queues the writes; the ``meta`` keys of
        ``metric_ids`` are watched meanwhile.
        """
        with self._errors(), self._redis.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(*map(self._meta_key, metric_ids))
                    plan(pipe)
                    pipe.execute()
                    return
                except redis.WatchError:
                    continue

    def create_metric(self, metric):
        metric_id = metric["id"]
        meta = {"chunk_ns": self.chunk_ns}
        timespan = base.retention_of(metric)
        if timespan is not None:
            meta["timespan_ns"] = timespan

        def plan(pipe):
            if pipe.exists(self._meta_key(metric_id)):
                raise MetricAlreadyExists(metric_id)
            pipe.multi()
            pipe.hset(self._metrics_key(), metric_id, json.dumps(metric))
            pipe.hset(self._meta_key(metric_id), mapping=meta)

        self._transaction([metric_id], plan)
        return metric

    def get_metric(self, metric_id):
        with self._errors():
            doc = self._redis.hget(self._metrics_key(), metric_id)
        if doc is None:
            raise MetricNotFound(metric_id)
        return json.loads(doc)

    def list_metrics(self):
        with self._errors():
            docs = self._redis.hvals(self._metrics_key())
        return [json.loads(doc) for doc in docs]

    def delete_metric(self, metric_id):
        def plan(pipe):
            if not pipe.exists(self._meta_key(metric_id)):
                raise MetricNotFound(metric_id)
            chunks = pipe.hkeys(self._chunks_key(metric_id))
            pipe.multi()
            pipe.hdel(self._metrics_key(), metric_id)
            data_keys = [self._data_key(metric_id, c.decode()) for c in chunks]
            pipe.delete(self._meta_key(metric_id), self._chunks_key(metric_id),
                        *data_keys)

        self._transaction([metric_id], plan)

    def set_retention(self, metric_id, timespan_ns):
        timespan = base.retention_of({"timespan_ns": timespan_ns})
        meta_key = self._meta_key(metric_id)

        def plan(pipe):
            doc = pipe.hget(self._metrics_key(), metric_id)
            if doc is None or not pipe.exists(meta_key):
                raise MetricNotFound(metric_id)
            doc = dict(json.loads(doc), timespan_ns=timespan)
            pipe.multi()
            pipe.hset(self._metrics_key(), metric_id, json.dumps(doc))
            # Rewriting meta also makes concurrent writers of it retry.
            if timespan is None:
                pipe.hdel(meta_key, "timespan_ns")
            else:
                pipe.hset(meta_key, "timespan_ns", timespan)

        self._transaction([metric_id], plan)

    def add_measures(self, batch):
        normalized = {metric_id: series.normalize(t, v)
                      for metric_id, (t, v) in batch.items()}
        if not normalized:
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
        with self._errors():
            while True:
                chunk_ns = self._redis.hget(self._meta_key(metric_id),
                                            "chunk_ns")
                if chunk_ns is None:
                    raise MetricNotFound(metric_id)
                first, last = series.chunk_range(start, stop, int(chunk_ns))
                reply = self._read_script(
                    keys=[self._meta_key(metric_id),
                          self._chunks_key(metric_id)],
                    args=[chunk_ns, "-1e300" if first is None else first,
                          "1e300" if last is None else last,
                          self._data_key(metric_id)])
                if reply is None:
                    raise MetricNotFound(metric_id)
                if len(reply) > 1:
                    break
        _, timespan, last_ts, *blobs = reply
        records = series.decode(b"".join(blobs))
        oldest = series.cutoff(_int_or_none(last_ts), _int_or_none(timespan))
        return series.select(records, series.later_bound(start, oldest), stop)

    def newest_timestamp(self, metric_id):
        with self._errors():
            chunk_ns, last_ts = self._redis.hmget(self._meta_key(metric_id),
                                                  "chunk_ns", "last_ts")
        if chunk_ns is None:  # set for every existing metric
            raise MetricNotFound(metric_id)
        return _int_or_none(last_ts)

    def create_document(self, kind, name, doc):
        with self._errors():
            created = self._redis.hsetnx(self._doc_key(kind), name,
                                         json.dumps(doc))
        if not created:
            raise DocumentAlreadyExists(kind, name)

    def get_document(self, kind, name):
        with self._errors():
            doc = self._redis.hget(self._doc_key(kind), name)
        if doc is None:
            raise DocumentNotFound(kind, name)
        return json.loads(doc)

    def list_documents(self, kind):
        with self._errors():
            docs = self._redis.hvals(self._doc_key(kind))
        return [json.loads(doc) for doc in docs]

    def replace_document(self, kind, name, doc):
        with self._errors():
            replaced = self._replace_script(keys=[self._doc_key(kind)],
                                            args=[name, json.dumps(doc)])
        if not replaced:
            raise DocumentNotFound(kind, name)

    def delete_document(self, kind, name):
        with self._errors():
            deleted = self._redis.hdel(self._doc_key(kind), name)
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
    the chunks to rewrite (points inside their range, or retention).
    """

    PHASES = ("meta", "chunks", "data")

    def __init__(self, driver, metric_id, records):
        self.meta_key = driver._meta_key(metric_id)
        self.chunks_key = driver._chunks_key(metric_id)
        self.data_key = functools.partial(driver._data_key, metric_id)
        self.metric_id = metric_id
        self.records = records

    def requests(self, phase):
        """Return the ``(command, *args)`` reads of ``phase``."""
        if phase == "meta":
            return [("hgetall", self.meta_key)]
        if phase == "chunks":
            if self.oldest is not None:
                return [("hgetall", self.chunks_key)]
            return [("hmget", self.chunks_key, [str(c) for c in self.parts])
                    ] if self.parts else []
        return [("get", self.data_key(chunk)) for chunk in self.rewrite]

    def receive(self, phase, replies):
        """Take the replies to :meth:`requests` of ``phase``."""
        getattr(self, f"_receive_{phase}")(replies)

    def _receive_meta(self, replies):
        meta = replies[0]
        if not meta:
            raise MetricNotFound(self.metric_id)
        last_ts = _int_or_none(meta.get(b"last_ts"))
        records = self.records
        self.newest = last_ts
        if len(records):
            newest = int(records["t"][-1])
            self.newest = newest if last_ts is None else max(newest, last_ts)
        self.oldest = series.cutoff(self.newest,
                                    _int_or_none(meta.get(b"timespan_ns")))
        if self.oldest is not None:
            records = records[records["t"] >= self.oldest]
        self.parts = dict(series.split_chunks(records, int(meta[b"chunk_ns"])))

    def _receive_chunks(self, replies):
        if self.oldest is not None:
            fields = replies[0].items()
        else:
            fields = zip(self.parts, replies[0] if replies else ())
        # chunk -> (first_ts, last_ts) of what is stored.
        self.stored = {int(c): tuple(map(int, v.split()))
                       for c, v in fields if v is not None}
        # chunk -> new records (None: only trimmed by retention)
        self.append, self.rewrite, self.expired = {}, {}, []
        for chunk, part in self.parts.items():
            span = self.stored.get(chunk)
            if span is None or part["t"][0] > span[1]:
                self.append[chunk] = part
            else:
                self.rewrite[chunk] = part
        if self.oldest is None:
            return
        for chunk, (first, last) in self.stored.items():
            if chunk in self.append:
                last = int(self.append[chunk]["t"][-1])
            if last < self.oldest:
                self.expired.append(chunk)
            elif series.worth_trimming(first, last, self.oldest):
                self.rewrite.setdefault(chunk, self.append.pop(chunk, None))

    def _receive_data(self, replies):
        for chunk, data in zip(list(self.rewrite), replies):
            part = self.rewrite[chunk]
            records = series.decode(data or b"")
            if part is not None:
                records = series.merge(records, part)
            if self.oldest is not None:
                records = records[records["t"] >= self.oldest]
            self.rewrite[chunk] = records

    def queue_writes(self, pipe):
        """Queue this metric's writes in the ``MULTI`` block of ``pipe``."""
        for chunk, part in self.append.items():
            first = self.stored.get(chunk, (int(part["t"][0]),))[0]
            pipe.append(self.data_key(chunk), series.encode(part))
            pipe.hset(self.chunks_key, chunk, f"{first} {int(part['t'][-1])}")
        for chunk, records in self.rewrite.items():
            pipe.set(self.data_key(chunk), series.encode(records))
            pipe.hset(self.chunks_key, chunk,
                      f"{int(records['t'][0])} {int(records['t'][-1])}")
        for chunk in self.expired:
            pipe.delete(self.data_key(chunk))
            pipe.hdel(self.chunks_key, chunk)
        if self.newest is not None:
            # Also what makes concurrent transactions on this metric retry.
            pipe.hset(self.meta_key, "last_ts", self.newest)


def _int_or_none(value):
    return None if value in (None, b"", "") else int(value)


def _redacted(url):
    """The URL without its password, for error messages."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()
