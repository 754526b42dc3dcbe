"""Storage driver throughput: appends in batches and range reads.

For each driver: points/s appending batches of 1,000 points to one metric
(and single points), to 1,000 metrics with one call each, and to 1,000
metrics in one call; then the time to read back 10**6 points (and one hour
of them) as numpy arrays. Every figure is the median of ``--repeat`` runs on
a fresh store. Series are 1 Hz, so a chunk (one day by default) holds 86,400
points.

Usage: python bench/storage.py [--drivers sqlite,sqlite-full,redis]
       [--repeat 5] [--redis-url URL] [--clock wall|cpu]

``--clock cpu`` times with this process's CPU time instead of the wall
clock: steadier on a shared machine, but blind to waits (fsync, the Redis
server's own work).
"""
import argparse
import statistics
import tempfile
import time
import uuid

import numpy as np
import redis

from statsvc.storage import StorageUnavailable, load_driver

BATCH = 1_000
METRICS = 1_000
TOTAL = 10**6
START = 1_700_000_000 * 10**9
SECOND = 10**9
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
clock = time.perf_counter


def _points(offset, count):
    """``count`` 1 Hz points from ``offset`` seconds after START."""
    ts = START + (offset + np.arange(count, dtype=np.int64)) * SECOND
    return ts, np.random.default_rng(offset).normal(size=count)


def _timed(function):
    began = clock()
    function()
    return clock() - began


def append_one_metric(driver):
    """10**6 points to one metric, 1,000 per call; return the metric id."""
    metric_id = _create(driver, 1)[0]
    batches = [_points(i, BATCH) for i in range(0, TOTAL, BATCH)]
    return metric_id, _timed(
        lambda: [driver.add_measures({metric_id: b}) for b in batches])


def append_point_per_call(driver):
    """10**4 points to one metric, one per call, as a chatty client sends."""
    metric_id = _create(driver, 1)[0]
    points = [_points(i, 1) for i in range(10**4)]
    return 10**4 / _timed(
        lambda: [driver.add_measures({metric_id: p}) for p in points])


def append_call_per_metric(driver):
    """1,000 points to each of 1,000 metrics, one call per metric."""
    ids = _create(driver, METRICS)
    batch = _points(0, BATCH)
    return _timed(lambda: [driver.add_measures({m: batch}) for m in ids])


def append_metrics_per_call(driver):
    """1,000 points to each of 1,000 metrics, all in one call."""
    ids = _create(driver, METRICS)
    batch = _points(0, BATCH)
    return _timed(lambda: driver.add_measures(dict.fromkeys(ids, batch)))


def _create(driver, count):
    ids = [str(uuid.uuid4()) for _ in range(count)]
    for metric_id in ids:
        driver.create_metric({"id": metric_id, "name": "bench"})
    return ids


def _median_read(driver, metric_id, start, stop, repeat):
    times = []
    for _ in range(repeat):
        began = clock()
        ts, _ = driver.get_measures(metric_id, start, stop)
        times.append(clock() - began)
    return statistics.median(times), len(ts)


def bench_driver(make_store, repeat):
    """Return the medians for one driver, a fresh store per run."""
    one, single, per_metric, per_call = [], [], [], []
    read_all, read_hour = [], []
    for _ in range(repeat):
        with make_store() as driver:
            metric_id, seconds = append_one_metric(driver)
            one.append(seconds)
            single.append(append_point_per_call(driver))
            per_metric.append(append_call_per_metric(driver))
            per_call.append(append_metrics_per_call(driver))
            seconds, count = _median_read(driver, metric_id, START,
                                          START + TOTAL * SECOND, 5)
            assert count == TOTAL
            read_all.append(seconds)
            middle = START + TOTAL // 2 * SECOND
            read_hour.append(_median_read(driver, metric_id, middle,
                                          middle + 3600 * SECOND, 5)[0])
    median = statistics.median
    return {
        "append 1,000/call, 1 metric (points/s)": TOTAL / median(one),
        "append 1/call, 1 metric (points/s)": median(single),
        "append 1,000/call, 1,000 metrics (points/s)": TOTAL / median(
            per_metric),
        "append 1,000 x 1,000 points in 1 call (points/s)": TOTAL / median(
            per_call),
        "read 10^6 points (ms)": 1000 * median(read_all),
        "read 3,600 points (ms)": 1000 * median(read_hour),
    }


class _SQLiteStore:
    def __init__(self, **options):
        self.options = options

    def __enter__(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="statsvc-bench-")
        self.driver = load_driver({"driver": "sqlite",
                                   "data_dir": self.tmp.name, **self.options})
        return self.driver

    def __exit__(self, *exc):
        self.driver.close()
        self.tmp.cleanup()


class _RedisStore:
    def __init__(self, url):
        self.url = url

    def __enter__(self):
        self.prefix = f"statsvc-bench:{uuid.uuid4()}:"
        self.driver = load_driver({"driver": "redis", "url": self.url,
                                   "key_prefix": self.prefix})
        return self.driver

    def __exit__(self, *exc):
        client = redis.Redis.from_url(self.url)
        for keys in _batched(client.scan_iter(match=self.prefix + "*",
                                              count=1000), 1000):
            client.delete(*keys)
        self.driver.close()


def _batched(iterable, size):
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drivers", default="sqlite,sqlite-full,redis",
                        help="comma-separated: sqlite, sqlite-full "
                             "(synchronous=FULL), redis")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--clock", choices=CLOCKS, default="wall")
    args = parser.parse_args()
    global clock
    clock = CLOCKS[args.clock]
    stores = {"sqlite": lambda: _SQLiteStore(),
              "sqlite-full": lambda: _SQLiteStore(synchronous="FULL"),
              "redis": lambda: _RedisStore(args.redis_url)}
    for name in args.drivers.split(","):
        try:
            results = bench_driver(stores[name], args.repeat)
        except StorageUnavailable as exc:
            print(f"{name}: skipped, {exc}")
            continue
        print(f"{name} (median of {args.repeat}):")
        for label, value in results.items():
            print(f"  {label:<50} {value:>12,.1f}")


if __name__ == "__main__":
    main()
