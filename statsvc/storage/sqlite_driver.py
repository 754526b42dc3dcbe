"""Embedded storage in one SQLite database: no server, safe across processes.

Layout: a ``metric`` row per metric (JSON document, retention, chunk span,
newest timestamp, rollup spec), ``fragment`` rows holding the raw series,
``archive`` rows holding the archive chunks of metrics with a rollup spec
(:mod:`.rollup`, updated in the transaction of the write) and ``document``
rows (archive policies, rules). The series is cut into time chunks; a chunk
is one or more fragments, each a blob of frames (:mod:`.codec`), their time
ranges disjoint and ordered by ``seq``. A fragment of ``format`` 0 was
written before frames existed: raw 16-byte records, read as such and
rewritten as frames when a write touches it.

Appending after the end of a chunk inserts a small fragment (a raw frame)
instead of rewriting the chunk; a fragment is folded into the one before it
while that one is no larger (a binary counter), joining their raw frames
into one, so a chunk has O(log n) fragments of few frames and a point is
copied O(log n) times, whatever the batch size. Once a fragment holds
:data:`PACK_POINTS` points its raw frames are compressed, each point once
(compressed frames are kept as they are). When the metric's newest point
moves to a later chunk, the chunk it left is sealed into one fragment of
compressed frames (:func:`.codec.seal`: about 0.7 byte per point for
one-decimal values at regular intervals, 7 for float64 noise). Points
landing inside a chunk's range are merged with the fragments they overlap
only.

Concurrency and durability come from SQLite: WAL journal, ``BEGIN
IMMEDIATE`` write transactions (writers queue on ``busy_timeout`` instead of
losing updates), and ``synchronous=NORMAL`` by default, which keeps every
committed transaction across a crash of any process (``FULL`` also across
power loss). An interrupted transaction is rolled back on next open.
"""
import contextlib
import fcntl
import json
import os
import pathlib
import re
import sqlite3
import threading

import numpy as np
import orjson

from statsvc.storage import base
from statsvc.storage import codec
from statsvc.storage import rollup
from statsvc.storage import series
from statsvc.storage.exceptions import (
    DocumentAlreadyExists, DocumentConflict, DocumentNotFound,
    MetricAlreadyExists, MetricNotFound, StorageUnavailable)

# A query must spell an indexed expression exactly for SQLite to use the
# index, so these are spelled from base.INDEXED_FIELDS, never from input.
_INDEXED_FIELDS = base.INDEXED_FIELDS
# Other fields are looked up with the JSON path bound as a parameter.
_PLAIN_FIELD = re.compile(r"^[A-Za-z0-9_-]+$")
_IN_CHUNK = 500  # values per IN (...), well under SQLite's variable limit


# The documents of a kind in base.LISTING_SORT (SQLite also puts NULL
# first ascending), from the index document_listing: a batch past another.
LISTING_SQL = ("SELECT name, doc FROM document WHERE kind = ? ORDER BY "
               + ", ".join(f"json_extract(doc, '$.{field}')"
                           for field in base.LISTING_ORDER)
               + " LIMIT ? OFFSET ?")


def find_sql(field, count):
    """The SELECT of :meth:`SQLiteDriver.find_documents` for ``count``
    values, and the parameters that come between ``kind`` and the values
    (the JSON path of a field without index)."""
    if field in _INDEXED_FIELDS:
        path, where = (), f"json_extract(doc, '$.{field}')"
    else:
        path, where = (f'$."{field}"',), "json_extract(doc, ?)"
    return (f"SELECT doc FROM document WHERE kind = ? AND {where} "
            f"IN ({', '.join('?' * count)})", path)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS metric (
    key INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    doc TEXT NOT NULL,
    timespan_ns INTEGER,
    chunk_ns INTEGER NOT NULL,
    last_ts INTEGER,
    rollup TEXT
);
CREATE TABLE IF NOT EXISTS fragment (
    metric INTEGER NOT NULL,
    chunk INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    first_ts INTEGER NOT NULL,
    last_ts INTEGER NOT NULL,
    n INTEGER NOT NULL,
    data BLOB NOT NULL,
    format INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (metric, chunk, seq)
);
CREATE TABLE IF NOT EXISTS archive (
    metric INTEGER NOT NULL,
    grain INTEGER NOT NULL,
    chunk INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (metric, grain, chunk)
);
CREATE TABLE IF NOT EXISTS document (
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (kind, name)
);
""" + "".join(
    f"CREATE INDEX IF NOT EXISTS document_{field} "
    f"ON document(kind, json_extract(doc, '$.{field}'));\n"
    for field in _INDEXED_FIELDS) + (
    "CREATE INDEX IF NOT EXISTS document_listing ON document(kind, "
    + ", ".join(f"json_extract(doc, '$.{field}')"
                for field in base.LISTING_ORDER) + ");\n")

_INT64_MIN, _INT64_MAX = -2**63, 2**63 - 1

# fragment.format: raw records (stores made before frames), or frames.
_LEGACY, _FRAMES = 0, 1

#: A folded fragment of at least this many points gets its raw frames
#: compressed: below it a fragment is cheaper to copy than to compress.
PACK_POINTS = 4096

# Connections opened before a fork: closing one in the child could disturb
# the parent's locks (SQLite forbids using them across fork), so they are
# only kept referenced, never touched again.
_inherited = []


class SQLiteDriver(base.StorageDriver):
    """Store metrics in ``<data_dir>/statsvc.sqlite``.

    Options: ``data_dir`` (required, created if missing), ``busy_timeout``
    (seconds a writer waits for the lock, default 30), ``synchronous``
    (``NORMAL`` or ``FULL``), ``chunk_seconds`` (see
    :class:`~statsvc.storage.base.StorageDriver`).
    """

    name = "sqlite"

    def __init__(self, options):
        super().__init__(options)
        data_dir = self.options.get("data_dir")
        if not data_dir:
            raise StorageUnavailable("the sqlite driver needs option data_dir")
        self.path = pathlib.Path(data_dir) / "statsvc.sqlite"
        self.busy_timeout = float(self.options.get("busy_timeout", 30))
        self.synchronous = self.options.get("synchronous", "NORMAL").upper()
        if self.synchronous not in ("NORMAL", "FULL"):
            raise ValueError("synchronous must be NORMAL or FULL")
        self._local = threading.local()
        with self._errors():
            self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._errors(), _setup_lock(self.path):
            # Set up with a throw-away connection so that none is open when
            # the application server forks its workers.
            conn = self._connect()
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.executescript(
                    f"BEGIN IMMEDIATE; {_SCHEMA} {_upgrade(conn)} COMMIT;")
            finally:
                conn.close()

    def _connect(self):
        conn = sqlite3.connect(self.path, timeout=self.busy_timeout,
                               isolation_level=None)
        conn.execute(f"PRAGMA synchronous={self.synchronous}")
        return conn

    def _conn(self):
        """This thread's connection, opened on first use in each process."""
        local = self._local
        conn = getattr(local, "conn", None)
        if conn is None or local.pid != os.getpid():
            if conn is not None:
                _inherited.append(conn)
            local.conn, local.pid = self._connect(), os.getpid()
        return local.conn

    @contextlib.contextmanager
    def _errors(self):
        try:
            yield
        except (sqlite3.OperationalError, OSError) as exc:
            raise StorageUnavailable(
                f"sqlite store {self.path}: {exc}") from exc

    @contextlib.contextmanager
    def _write(self):
        with self._errors():
            conn = self._conn()
            with _transaction(conn, "BEGIN IMMEDIATE"):
                yield conn

    @contextlib.contextmanager
    def _read(self):
        # A transaction so that several SELECTs see one snapshot.
        with self._errors():
            conn = self._conn()
            with _transaction(conn):
                yield conn

    def create_metric(self, metric):
        timespan = base.retention_of(metric)
        spec = metric.get("rollup")
        with self._write() as conn:
            try:
                conn.execute(
                    "INSERT INTO metric (id, doc, timespan_ns, chunk_ns,"
                    " rollup) VALUES (?, ?, ?, ?, ?)",
                    (metric["id"], json.dumps(metric), timespan,
                     self.chunk_ns, None if spec is None else json.dumps(spec)))
            except sqlite3.IntegrityError:
                raise MetricAlreadyExists(metric["id"]) from None
        return metric

    def get_metric(self, metric_id):
        with self._read() as conn:
            row = conn.execute("SELECT doc FROM metric WHERE id = ?",
                               (metric_id,)).fetchone()
        if row is None:
            raise MetricNotFound(metric_id)
        return orjson.loads(row[0])

    def list_metrics(self):
        with self._read() as conn:
            rows = conn.execute("SELECT doc FROM metric").fetchall()
        return [orjson.loads(doc) for doc, in rows]

    def delete_metric(self, metric_id):
        with self._write() as conn:
            key = _metric_row(conn, metric_id)[0]
            conn.execute("DELETE FROM fragment WHERE metric = ?", (key,))
            conn.execute("DELETE FROM archive WHERE metric = ?", (key,))
            conn.execute("DELETE FROM metric WHERE key = ?", (key,))

    def relabel_metric(self, metric_id, name, resource_id):
        with self._write() as conn:
            row = conn.execute("SELECT doc FROM metric WHERE id = ?",
                               (metric_id,)).fetchone()
            if row is None:
                raise MetricNotFound(metric_id)
            doc = dict(orjson.loads(row[0]), name=name,
                       resource_id=resource_id)
            conn.execute("UPDATE metric SET doc = ? WHERE id = ?",
                         (json.dumps(doc), metric_id))

    def set_rollup(self, metric_id, spec):
        with self._write() as conn:
            key, timespan, chunk_ns, last_ts, old = _metric_row(conn,
                                                                metric_id)
            doc = json.loads(conn.execute(
                "SELECT doc FROM metric WHERE key = ?", (key,)).fetchone()[0])
            conn.execute("UPDATE metric SET doc = ?, rollup = ? WHERE key = ?",
                         (json.dumps(dict(doc, rollup=spec)), json.dumps(spec),
                          key))
            if last_ts is None:
                return
            if old is not None:
                _trim_archives(conn, key, rollup.Rollup(json.loads(old)),
                               last_ts)
                return
            # Upgrade: archives from every raw point kept so far.
            roll = rollup.Rollup(spec)
            raw = _read_raw(conn, key, chunk_ns)
            oldest = series.cutoff(last_ts, timespan)
            if oldest is not None:
                raw = raw[raw["t"] >= oldest]
            _put_archives(conn, key, roll.rebuild(raw, last_ts))
            _expire(conn, key, roll.cutoff(last_ts))

    def get_archive(self, metric_id, granularity_ns, method, start=None,
                    stop=None):
        with self._read() as conn:
            key, _, _, last_ts, spec = _metric_row(conn, metric_id)
            roll = rollup.Rollup.of(_json_or_none(spec))
            if roll is None or method not in roll.methods \
                    or granularity_ns not in dict(roll.grains):
                return rollup.read([], method)
            span = granularity_ns * rollup.CHUNK_BUCKETS
            first, last = series.chunk_range(start, stop, span)
            rows = conn.execute(
                "SELECT data FROM archive WHERE metric = ? AND grain = ?"
                " AND chunk >= ? AND chunk <= ? ORDER BY chunk",
                (key, granularity_ns, _INT64_MIN if first is None else first,
                 _INT64_MAX if last is None else last)).fetchall()
        oldest = roll.oldest_bucket(granularity_ns,
                                    roll.points(granularity_ns), last_ts)
        return rollup.read([data for data, in rows], method,
                           series.later_bound(start, oldest), stop)

    def add_measures(self, batch):
        normalized = {metric_id: series.normalize(t, v)
                      for metric_id, (t, v) in batch.items()}
        with self._write() as conn:
            # Any MetricNotFound raised here rolls back the whole batch.
            for metric_id, records in normalized.items():
                _add_to_metric(conn, _metric_row(conn, metric_id), records)

    def get_measures(self, metric_id, start=None, stop=None):
        with self._read() as conn:
            key, timespan, chunk_ns, last_ts, spec = _metric_row(conn,
                                                                 metric_id)
            records = _read_raw(conn, key, chunk_ns, start, stop)
        oldest = _raw_cutoff(timespan, spec, last_ts)
        return series.select(records, series.later_bound(start, oldest), stop)

    def create_document(self, kind, name, doc):
        with self._write() as conn:
            try:
                conn.execute("INSERT INTO document VALUES (?, ?, ?)",
                             (kind, name, json.dumps(doc)))
            except sqlite3.IntegrityError:
                raise DocumentAlreadyExists(kind, name) from None

    def get_document(self, kind, name):
        with self._read() as conn:
            row = conn.execute(
                "SELECT doc FROM document WHERE kind = ? AND name = ?",
                (kind, name)).fetchone()
        if row is None:
            raise DocumentNotFound(kind, name)
        return orjson.loads(row[0])

    def list_documents(self, kind):
        with self._read() as conn:
            rows = conn.execute("SELECT doc FROM document WHERE kind = ?",
                                (kind,)).fetchall()
        return [orjson.loads(doc) for doc, in rows]

    def find_documents(self, kind, field, values):
        if field not in _INDEXED_FIELDS and not _PLAIN_FIELD.match(field):
            return super().find_documents(kind, field, values)
        values = sorted(values)
        docs = []
        with self._read() as conn:
            for first in range(0, len(values), _IN_CHUNK):
                chunk = values[first:first + _IN_CHUNK]
                sql, path = find_sql(field, len(chunk))
                rows = conn.execute(sql, (kind, *path, *chunk)).fetchall()
                docs += [orjson.loads(doc) for doc, in rows]
        return docs

    def sorted_documents(self, kind, order, field=None, values=()):
        # Only the listing order has an index to read a page of: any other
        # is sorted in memory (SQLite would sort every row for each batch
        # below, and a page far down took longer than before).
        if field is not None or list(order) != base.LISTING_SORT:
            return super().sorted_documents(kind, order, field, values)
        return self._listed(kind)

    def _listed(self, kind):
        # Batches growing from a page's worth, each read on its own: the
        # caller may use the store between them. A document moved by a
        # write meanwhile may come twice (skipped) or be missed, as when
        # paging through Gnocchi's listing.
        offset, batch, seen = 0, 128, set()
        while True:
            with self._read() as conn:
                rows = conn.execute(LISTING_SQL,
                                    (kind, batch, offset)).fetchall()
            for name, doc in rows:
                if name not in seen:
                    seen.add(name)
                    yield orjson.loads(doc)
            if len(rows) < batch:
                return
            offset += batch
            batch = min(4 * batch, 8192)

    def replace_document(self, kind, name, doc, expected=None):
        with self._write() as conn:
            if expected is not None:
                row = conn.execute(
                    "SELECT doc FROM document WHERE kind = ? AND name = ?",
                    (kind, name)).fetchone()
                if row is not None and orjson.loads(row[0]) != expected:
                    raise DocumentConflict(kind, name)
            if not conn.execute(
                    "UPDATE document SET doc = ? WHERE kind = ? AND name = ?",
                    (json.dumps(doc), kind, name)).rowcount:
                raise DocumentNotFound(kind, name)

    def delete_document(self, kind, name):
        with self._write() as conn:
            if not conn.execute(
                    "DELETE FROM document WHERE kind = ? AND name = ?",
                    (kind, name)).rowcount:
                raise DocumentNotFound(kind, name)

    def check(self):
        with self._read() as conn:
            conn.execute("SELECT 1 FROM metric LIMIT 1").fetchall()

    def close(self):
        conn = getattr(self._local, "conn", None)
        if conn is not None and self._local.pid == os.getpid():
            conn.close()
        self._local.conn = None


def _upgrade(conn):
    """SQL bringing a store made by an earlier version to this schema.

    Stores from before frames get ``fragment.format``, 0 for their rows:
    no data is rewritten at start-up (which would hold every worker for a
    time growing with the store); fragments are converted as writes touch
    them, and read correctly meanwhile. Stores from before rollups get
    ``metric.rollup``, null: such a metric keeps its raw points until
    :meth:`SQLiteDriver.set_rollup` gives it archives.
    """
    sql = []
    columns = [row[1] for row in conn.execute("PRAGMA table_info(fragment)")]
    if columns and "format" not in columns:
        sql.append("ALTER TABLE fragment ADD COLUMN"
                   " format INTEGER NOT NULL DEFAULT 0;")
    columns = [row[1] for row in conn.execute("PRAGMA table_info(metric)")]
    if columns and "rollup" not in columns:
        # Metrics stored raw get their archives from set_rollup.
        sql.append("ALTER TABLE metric ADD COLUMN rollup TEXT;")
    return " ".join(sql)


@contextlib.contextmanager
def _setup_lock(path):
    """Serialise the set-up of one database across processes.

    uwsgi workers open a new store at the same moment; switching it to WAL
    needs an exclusive lock, and SQLite answers "database is locked" at once
    (no busy wait, to avoid a deadlock) while another process holds the
    schema transaction.
    """
    with open(path.with_name(path.name + ".setup-lock"), "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        yield


@contextlib.contextmanager
def _transaction(conn, begin="BEGIN"):
    conn.execute(begin)
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        # A failed COMMIT may have rolled back already.
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _metric_row(conn, metric_id):
    row = conn.execute(
        "SELECT key, timespan_ns, chunk_ns, last_ts, rollup FROM metric"
        " WHERE id = ?", (metric_id,)).fetchone()
    if row is None:
        raise MetricNotFound(metric_id)
    return row


def _json_or_none(text):
    return None if text is None else json.loads(text)


def _raw_cutoff(timespan, spec, newest):
    """The oldest raw point kept when the newest is ``newest``."""
    if spec is not None:
        return rollup.Rollup(json.loads(spec)).cutoff(newest)
    return series.cutoff(newest, timespan)


def _read_raw(conn, key, chunk_ns, start=None, stop=None):
    """The stored records of the chunks overlapping ``[start, stop)``."""
    first, last = series.chunk_range(start, stop, chunk_ns)
    return _decode(conn.execute(
        "SELECT data, format FROM fragment WHERE metric = ?"
        " AND chunk >= ? AND chunk <= ? ORDER BY chunk, seq",
        (key, _INT64_MIN if first is None else first,
         _INT64_MAX if last is None else last)).fetchall())


def _add_to_metric(conn, row, records):
    key, timespan, chunk_ns, last_ts, spec = row
    roll = rollup.Rollup.of(_json_or_none(spec))
    if roll is not None and last_ts is not None:
        # Too old to change a bucket that is still recomputable: ignored.
        records = records[records["t"] >= roll.cutoff(last_ts)]
    if not len(records):
        return
    newest = int(records["t"][-1])
    if last_ts is not None:
        newest = max(newest, last_ts)
    if roll is None:
        oldest = series.cutoff(newest, timespan)
        if oldest is not None:
            records = records[records["t"] >= oldest]
    else:
        _roll_up(conn, key, chunk_ns, roll, records, last_ts, newest)
        oldest = roll.cutoff(newest)
        if last_ts is not None and oldest == roll.cutoff(last_ts):
            oldest = None  # expired by an earlier write already
    for chunk, part in series.split_chunks(records, chunk_ns):
        _write_chunk(conn, key, chunk, part)
    conn.execute("UPDATE metric SET last_ts = ? WHERE key = ?", (newest, key))
    if last_ts is not None and newest // chunk_ns > last_ts // chunk_ns:
        _seal(conn, key, last_ts // chunk_ns)
    if oldest is not None:
        _expire(conn, key, oldest)


def _roll_up(conn, key, chunk_ns, roll, records, last_ts, newest):
    """Update the archive chunks ``records`` change, before they are
    stored (raw points older than the stored newest point's cutoff may
    linger in a fragment not yet trimmed: they are left out)."""
    start, stop = roll.raw_span(records)
    start = series.later_bound(start, roll.cutoff(last_ts))
    stored = _read_raw(conn, key, chunk_ns, start, stop)
    stored = stored[(stored["t"] >= start) & (stored["t"] < stop)]
    raw = series.merge(stored, records)
    keys = roll.chunks_to_write(records, last_ts, newest)
    blobs = {}
    for grain, chunk in keys:
        row = conn.execute(
            "SELECT data FROM archive WHERE metric = ? AND grain = ?"
            " AND chunk = ?", (key, grain, chunk)).fetchone()
        blobs[grain, chunk] = None if row is None else row[0]
    _put_archives(conn, key, roll.update(raw, records, blobs, newest))
    kept = roll.first_kept_chunks(newest)
    if last_ts is not None and kept != roll.first_kept_chunks(last_ts):
        for grain, chunk in kept.items():
            conn.execute("DELETE FROM archive WHERE metric = ? AND grain = ?"
                         " AND chunk < ?", (key, grain, chunk))


def _trim_archives(conn, key, roll, newest):
    """Drop the buckets ``roll`` no longer keeps (:meth:`.Rollup.trims`)."""
    for grain, oldest in roll.trims(newest).items():
        span = grain * rollup.CHUNK_BUCKETS
        conn.execute("DELETE FROM archive WHERE metric = ? AND grain = ?"
                     " AND chunk < ?", (key, grain, oldest // span))
        row = conn.execute(
            "SELECT data FROM archive WHERE metric = ? AND grain = ?"
            " AND chunk = ?", (key, grain, oldest // span)).fetchone()
        if row is not None:
            _put_archives(conn, key, {
                (grain, oldest // span): rollup.trimmed(row[0], oldest)})


def _put_archives(conn, key, blobs):
    conn.executemany("INSERT OR REPLACE INTO archive VALUES (?, ?, ?, ?)",
                     [(key, grain, chunk, data)
                      for (grain, chunk), data in blobs.items()])


def _write_chunk(conn, key, chunk, records):
    """Add sorted records to one chunk, keeping its fragments disjoint."""
    fragments = conn.execute(
        "SELECT seq, first_ts, last_ts, n FROM fragment"
        " WHERE metric = ? AND chunk = ? ORDER BY seq",
        (key, chunk)).fetchall()
    # Fragments ending before the new points stay; later ones are merged.
    first_new = int(records["t"][0])
    keep = [f for f in fragments if f[2] < first_new]
    before_new = len(keep)
    if before_new < len(fragments):
        old = _decode(_load(conn, key, chunk, fragments[before_new][0]))
        records = series.merge(old, records)
    data, n = codec.encode(records, compress=False), len(records)
    first_ts, last_ts = int(records["t"][0]), int(records["t"][-1])
    while keep and keep[-1][3] <= n:
        _, first_ts, _, prev_n = keep.pop()
        n += prev_n
    seq = keep[-1][0] + 1 if keep else 0
    if len(keep) < before_new:
        last_folded = fragments[before_new - 1][0]
        data = _frames(_load(conn, key, chunk, seq, last_folded)) + data
        data = codec.compact(data, compress=n >= PACK_POINTS)
    elif n >= PACK_POINTS:
        data = codec.compact(data)
    if len(keep) < len(fragments):
        conn.execute("DELETE FROM fragment WHERE metric = ? AND chunk = ?"
                     " AND seq >= ?", (key, chunk, seq))
    conn.execute("INSERT INTO fragment VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                 (key, chunk, seq, first_ts, last_ts, n, data, _FRAMES))


def _seal(conn, key, chunk):
    """Make a chunk one fragment of compressed frames (:func:`codec.seal`)
    unless it is one already.

    Called when the newest point leaves the chunk: small appends left raw
    frames and small fragments in it."""
    rows = _load(conn, key, chunk)
    if not rows or (len(rows) == 1 and rows[0][1] == _FRAMES
                    and codec.sealed(rows[0][0])):
        return
    first_ts, last_ts, n = conn.execute(
        "SELECT min(first_ts), max(last_ts), sum(n) FROM fragment"
        " WHERE metric = ? AND chunk = ?", (key, chunk)).fetchone()
    conn.execute("DELETE FROM fragment WHERE metric = ? AND chunk = ?",
                 (key, chunk))
    conn.execute("INSERT INTO fragment VALUES (?, ?, 0, ?, ?, ?, ?, ?)",
                 (key, chunk, first_ts, last_ts, n,
                  codec.seal(_frames(rows)), _FRAMES))


def _load(conn, key, chunk, from_seq=_INT64_MIN, to_seq=_INT64_MAX):
    """The ``(data, format)`` rows of a chunk's fragments, in order."""
    return conn.execute(
        "SELECT data, format FROM fragment WHERE metric = ? AND chunk = ?"
        " AND seq BETWEEN ? AND ? ORDER BY seq",
        (key, chunk, from_seq, to_seq)).fetchall()


def _decode(rows):
    """The records of ``(data, format)`` rows in time order."""
    if all(fmt == _FRAMES for _, fmt in rows):
        return codec.decode(b"".join(data for data, _ in rows))
    return np.concatenate([codec.decode_legacy(data) if fmt == _LEGACY
                           else codec.decode(data) for data, fmt in rows])


def _frames(rows):
    """``(data, format)`` rows as concatenated frames."""
    return b"".join(codec.encode(codec.decode_legacy(data), compress=False)
                    if fmt == _LEGACY else data for data, fmt in rows)


def _expire(conn, key, oldest):
    """Drop points older than ``oldest``: whole fragments at once, a
    straddling one once worth rewriting (:func:`series.worth_trimming`)."""
    conn.execute("DELETE FROM fragment WHERE metric = ? AND last_ts < ?",
                 (key, oldest))
    straddling = conn.execute(
        "SELECT chunk, seq, first_ts, last_ts FROM fragment"
        " WHERE metric = ? AND first_ts < ?", (key, oldest)).fetchall()
    for chunk, seq, first_ts, last_ts in straddling:
        if series.worth_trimming(first_ts, last_ts, oldest):
            records = _decode(_load(conn, key, chunk, seq, seq))
            records = records[records["t"] >= oldest]
            conn.execute(
                "UPDATE fragment SET first_ts = ?, n = ?, data = ?, format = ?"
                " WHERE metric = ? AND chunk = ? AND seq = ?",
                (int(records["t"][0]), len(records),
                 codec.encode(records, compress=len(records) >= PACK_POINTS),
                 _FRAMES, key, chunk, seq))
