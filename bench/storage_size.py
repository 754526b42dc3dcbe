"""Bytes each stored point takes, on disk (sqlite) and in Redis memory.

For each series of ``series_data.py`` (cpu, noise) and write pattern
(batches of 1,000 points, or one point per call), a fresh metric is
written, then measured:

* sqlite: the database file after ``PRAGMA wal_checkpoint(TRUNCATE)``, and
  its pages in use (file minus free pages, which SQLite reuses);
* redis: the sum of ``MEMORY USAGE`` of every key of the store;

each minus the same measure of the store holding the metric without points
(its schema, its metadata).

Then the time to read the whole series back (``get_measures``, best of 5).

Usage: python bench/storage_size.py [--points 1000000]
       [--single-points 20000] [--redis-url URL]
"""
import argparse
import tempfile
import time
import uuid

import redis

from series_data import make_series
from statsvc.storage import load_driver


def create(driver):
    metric_id = str(uuid.uuid4())
    driver.create_metric({"id": metric_id, "name": "size"})
    return metric_id


def fill(driver, metric_id, records, batch):
    for at in range(0, len(records), batch):
        part = records[at:at + batch]
        driver.add_measures({metric_id: (part["t"], part["v"])})
    return metric_id


def read_ms(driver, metric_id, count):
    best = float("inf")
    for _ in range(5):
        began = time.perf_counter()
        ts, _ = driver.get_measures(metric_id)
        best = min(best, time.perf_counter() - began)
    assert len(ts) == count
    return 1000 * best


def sqlite_size(records, batch):
    with tempfile.TemporaryDirectory(prefix="statsvc-size-") as tmp:
        driver = load_driver({"driver": "sqlite", "data_dir": tmp})
        metric_id = create(driver)
        empty = _sqlite_pages(driver)
        fill(driver, metric_id, records, batch)
        full = _sqlite_pages(driver)
        result = (full[0] - empty[0], full[1] - empty[1],
                  read_ms(driver, metric_id, len(records)))
        driver.close()
    return result


def _sqlite_pages(driver):
    """Bytes of the database file and of its pages in use."""
    conn = driver._conn()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page, = conn.execute("PRAGMA page_size").fetchone()
    pages, = conn.execute("PRAGMA page_count").fetchone()
    free, = conn.execute("PRAGMA freelist_count").fetchone()
    return page * pages, page * (pages - free)


def redis_size(records, batch, url):
    prefix = f"statsvc-size:{uuid.uuid4()}:"
    driver = load_driver({"driver": "redis", "url": url, "key_prefix": prefix})
    client = redis.Redis.from_url(url)
    def used():
        keys = client.scan_iter(match=prefix + "*", count=1000)
        return sum(client.memory_usage(key, samples=0) for key in keys)

    try:
        metric_id = create(driver)
        empty = used()
        fill(driver, metric_id, records, batch)
        return used() - empty, read_ms(driver, metric_id, len(records))
    finally:
        for key in client.scan_iter(match=prefix + "*", count=1000):
            client.delete(key)
        driver.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=10**6)
    parser.add_argument("--single-points", type=int, default=20_000)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    args = parser.parse_args()
    print("| series | writes | points | sqlite file B/pt | sqlite in use"
          " B/pt | redis B/pt | read sqlite ms | read redis ms |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for kind in ("cpu", "noise"):
        for batch, n in ((1000, args.points), (1, args.single_points)):
            records = make_series(kind, n)
            file_size, in_use, sqlite_ms = sqlite_size(records, batch)
            redis_bytes, redis_ms = redis_size(records, batch, args.redis_url)
            print(f"| {kind} | {batch:,}/call | {n:,} | {file_size / n:.2f} |"
                  f" {in_use / n:.2f} | {redis_bytes / n:.2f} |"
                  f" {sqlite_ms:.1f} | {redis_ms:.1f} |")


if __name__ == "__main__":
    main()
