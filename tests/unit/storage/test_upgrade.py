"""Stores written before frames (raw 16-byte records) keep every point.

The old layout is built here as the previous version wrote it: the sqlite
schema without ``fragment.format`` and fragments of ``records.tobytes()``;
in Redis, ``"first last"`` chunk values and ``data`` strings of records
grown by ``APPEND``.
"""
import json
import pathlib
import sqlite3
import uuid

import numpy as np
import pytest

from statsvc.storage import redis_connection
from statsvc.storage.series import RECORD
from tests.unit.storage.helpers import (
    CHUNK_NS, assert_series, open_driver, seconds)

_OLD_SQLITE_SCHEMA = """
CREATE TABLE metric (key INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
    doc TEXT NOT NULL, timespan_ns INTEGER, chunk_ns INTEGER NOT NULL,
    last_ts INTEGER);
CREATE TABLE fragment (metric INTEGER NOT NULL, chunk INTEGER NOT NULL,
    seq INTEGER NOT NULL, first_ts INTEGER NOT NULL, last_ts INTEGER NOT NULL,
    n INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (metric, chunk, seq));
CREATE TABLE document (kind TEXT NOT NULL, name TEXT NOT NULL,
    doc TEXT NOT NULL, PRIMARY KEY (kind, name));
"""

# Upgrades of stores written before Redis Cluster support.
pytestmark = pytest.mark.before_cluster


def old_records(ts, values):
    out = np.empty(len(ts), dtype=RECORD)
    out["t"], out["v"] = ts, values
    return out


def chunks_of(records):
    """``{chunk: [fragment records, ...]}``, two fragments per chunk when
    it has two points or more, as folds and appends left them."""
    out = {}
    for chunk in np.unique(records["t"] // CHUNK_NS).tolist():
        part = records[records["t"] // CHUNK_NS == chunk]
        half = max(1, len(part) // 2)
        out[chunk] = [part[:half], part[half:]] if len(part) > 1 else [part]
    return out


def write_old_store(options, metric_id, records, timespan_ns=None):
    """Write one metric in the layout of the version before frames."""
    doc = {"id": metric_id, "name": "old"}
    last_ts = int(records["t"][-1])
    if options["driver"] == "sqlite":
        path = pathlib.Path(options["data_dir"]) / "statsvc.sqlite"
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.executescript(_OLD_SQLITE_SCHEMA)
        conn.execute("INSERT INTO metric VALUES (1, ?, ?, ?, ?, ?)",
                     (metric_id, json.dumps(doc), timespan_ns, CHUNK_NS,
                      last_ts))
        for chunk, fragments in chunks_of(records).items():
            for seq, part in enumerate(fragments):
                conn.execute(
                    "INSERT INTO fragment VALUES (1, ?, ?, ?, ?, ?, ?)",
                    (chunk, seq, int(part["t"][0]), int(part["t"][-1]),
                     len(part), part.tobytes()))
        conn.close()
        return
    client = redis_connection.connect(options["url"], {})
    prefix = options["key_prefix"]
    client.hset(prefix + "metrics", metric_id, json.dumps(doc))
    meta = {"chunk_ns": CHUNK_NS, "last_ts": last_ts}
    if timespan_ns is not None:
        meta["timespan_ns"] = timespan_ns
    client.hset(f"{prefix}meta:{metric_id}", mapping=meta)
    for chunk, fragments in chunks_of(records).items():
        for part in fragments:
            client.append(f"{prefix}data:{metric_id}:{chunk}", part.tobytes())
        client.hset(f"{prefix}chunks:{metric_id}", chunk,
                    f"{int(fragments[0]['t'][0])} {int(part['t'][-1])}")
    client.close()


def stored_formats(driver, metric_id):
    """``{chunk: True if stored as frames}``."""
    if driver.name == "sqlite":
        rows = driver._conn().execute(
            "SELECT chunk, min(format) FROM fragment JOIN metric ON metric ="
            " key WHERE id = ? GROUP BY chunk", (metric_id,)).fetchall()
        return {chunk: bool(fmt) for chunk, fmt in rows}
    values = driver._redis.hgetall(driver._chunks_key(metric_id))
    return {int(c): len(v.split()) == 5 for c, v in values.items()}


@pytest.fixture
def old_store(driver_options):
    """Options of a store holding metric ``old`` (40 points over chunks
    0-3, values with NaN and -0.0) written by the previous version."""
    metric_id = str(uuid.uuid4())
    ts = seconds(*range(40))
    values = np.arange(40) / 10
    values[[3, 17]] = np.nan, -0.0
    write_old_store(driver_options, metric_id, old_records(ts, values))
    return driver_options, metric_id, ts, values


def test_reads_every_old_point(old_store):
    options, metric_id, ts, values = old_store
    driver = open_driver(options)
    assert driver.get_metric(metric_id)["name"] == "old"
    assert_series(driver.get_measures(metric_id), ts, values)
    assert_series(driver.get_measures(metric_id, 15 * 10**9, 25 * 10**9),
                  ts[15:25], values[15:25])
    assert not any(stored_formats(driver, metric_id).values())
    driver.close()


def test_writes_convert_the_chunks_they_touch_and_lose_nothing(old_store):
    options, metric_id, ts, values = old_store
    driver = open_driver(options)
    # Inside chunk 1, after the end of chunk 3, then a later chunk (which
    # seals chunk 3, the newest point's chunk until then).
    driver.add_measures({metric_id: (seconds(12), [120.0])})
    driver.add_measures({metric_id: (seconds(40, 41), [4.0, 4.1])})
    driver.add_measures({metric_id: (seconds(55), [5.5])})
    values = values.copy()
    values[12] = 120.0
    expected_ts = np.concatenate([ts, seconds(40, 41, 55)])
    expected = np.concatenate([values, [4.0, 4.1, 5.5]])
    assert_series(driver.get_measures(metric_id), expected_ts, expected)
    formats = stored_formats(driver, metric_id)
    assert formats == {0: False, 1: True, 2: False, 3: True, 4: True,
                       5: True}
    driver.close()
    # A reopened store reads the same, both layouts side by side.
    driver = open_driver(options)
    assert_series(driver.get_measures(metric_id), expected_ts, expected)
    driver.close()


def test_retention_applies_to_old_chunks(driver_options):
    metric_id = str(uuid.uuid4())
    write_old_store(driver_options, metric_id,
                    old_records(seconds(*range(40)), np.arange(40.0)),
                    timespan_ns=15 * 10**9)
    driver = open_driver(driver_options)
    driver.add_measures({metric_id: (seconds(41), [41.0])})
    kept = seconds(*range(26, 40), 41)
    assert_series(driver.get_measures(metric_id), kept,
                  [*range(26, 40), 41])
    assert set(stored_formats(driver, metric_id)) <= {2, 3, 4}
    driver.close()


def test_a_damaged_old_chunk_is_an_error(driver_options):
    metric_id = str(uuid.uuid4())
    write_old_store(driver_options, metric_id,
                    old_records(seconds(1, 2), [1.0, 2.0]))
    driver = open_driver(driver_options)
    if driver.name == "sqlite":
        driver._conn().execute("UPDATE fragment SET data = x'0102'")
    else:
        driver._redis.append(driver._data_key(metric_id, 0), b"\x01")
    with pytest.raises(ValueError):
        driver.get_measures(metric_id)
    driver.close()
