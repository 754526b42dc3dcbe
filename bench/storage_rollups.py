"""Archives rolled up at write time: bytes per metric, query time against
stored span, ingest cost.

For each driver and each default policy, a metric is created through the
API (the real pecan app in process, through webtest: what is timed is the
server side, without a network) and written at 1 Hz for the policy's
longest timespan (capped by ``--days``), a day per ``add_measures`` call,
values a slow walk with one decimal. Then:

* bytes per metric: SQLite pages in use after a checkpoint, or the sum of
  Redis ``MEMORY USAGE`` of the store's keys, minus the same measure of
  the store holding the metric without points;
* for ``high``: ``GET measures?granularity=3600`` over the last 1, 7, 30
  and 365 days (8,760 buckets), ``granularity=60`` over 1 and 7 days, and
  the GET of every granularity over one day: median CPU time of the app
  answering (in this process, so CPU time is the server side's, whatever
  else loads the machine) over ``--repeat`` requests;
* ingest: 1,000 points per call into a fresh metric, without policy and
  under ``high``, points/s (median of ``--repeat`` runs of 200 calls).

Rates are per CPU second of this process (with Redis, not counting the
Redis server's own work), so that other jobs on the machine do not skew
them.

Usage: python -P bench/storage_rollups.py [--drivers sqlite,redis]
       [--days 365] [--repeat 20] [--redis-url URL]
"""
import argparse
import json
import statistics
import sys
import tempfile
import time
import urllib.parse
import uuid

import numpy as np
import redis
import webob
import webtest

sys.path.append(__import__("os").path.dirname(__file__))
from storage_size import _sqlite_pages  # noqa: E402

from statsvc import config  # noqa: E402
from statsvc.api.app import setup_app  # noqa: E402
from statsvc.storage import load_driver  # noqa: E402

S = 10**9
DAY = 86400
T0 = 1_700_006_400  # a UTC midnight, in seconds
POLICIES = ("low", "medium", "high", "bool")
POLICY_DAYS = {"low": 30, "medium": 365, "high": 365, "bool": 365}


class Store:
    """A fresh store of one driver, its app and a driver on it."""

    def __init__(self, name, tmp, redis_url):
        self.name = name
        self.options = {"driver": name}
        if name == "sqlite":
            self.options["data_dir"] = f"{tmp}/{uuid.uuid4()}"
        else:
            self.options.update(url=redis_url,
                                key_prefix=f"statsvc-rollups:{uuid.uuid4()}:")
            self.client = redis.Redis.from_url(redis_url)
        self.app = webtest.TestApp(setup_app(config.load(
            overrides={"storage": self.options})))
        self.driver = load_driver(self.options)

    def metric(self, policy):
        body = {"archive_policy_name": policy} if policy else {}
        return self.app.post_json("/v1/metric", body).json["id"]

    def used_bytes(self):
        if self.name == "sqlite":
            return _sqlite_pages(self.driver)[1]
        keys = self.client.scan_iter(match=self.options["key_prefix"] + "*",
                                     count=1000)
        return sum(self.client.memory_usage(k, samples=0) for k in keys)

    def close(self):
        if self.name == "redis":
            for key in self.client.scan_iter(
                    match=self.options["key_prefix"] + "*", count=1000):
                self.client.delete(key)
        self.driver.close()


def day_of_points(day, rng, level):
    """One day at 1 Hz from ``T0 + day``: a slow walk with one decimal."""
    ts = (T0 + day * DAY + np.arange(DAY, dtype=np.int64)) * S
    walk = level + np.cumsum(rng.normal(0, 0.05, DAY))
    return ts, np.round(np.clip(walk, 0, 100), 1)


def fill(store, metric_id, days):
    rng, level, began = np.random.default_rng(0), 50.0, time.process_time()
    for day in range(days):
        ts, values = day_of_points(day, rng, level)
        level = float(values[-1])
        store.driver.add_measures({metric_id: (ts, values)})
    return days * DAY / (time.process_time() - began)


def get_ms(store, metric_id, query, repeat):
    """Median CPU ms of the app answering a GET (the server side: the app
    runs in this process; CPU time, as other jobs share the machine), and
    the points answered."""
    url = (f"/v1/metric/{metric_id}/measures?"
           f"{urllib.parse.urlencode(query)}")
    times = []
    for _ in range(repeat):
        request = webob.Request.blank(url)
        began = time.process_time()
        response = request.get_response(store.app.app)
        times.append(time.process_time() - began)
    assert response.status_code == 200, response.text
    return 1000 * statistics.median(times), len(json.loads(response.body))


def iso(seconds):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def queries(store, metric_id, days, repeat):
    end = T0 + days * DAY
    rows = []
    for grain, spans in ((3600, (1, 7, 30, 365)), (60, (1, 7))):
        for span in spans:
            if span <= days:
                query = {"granularity": grain, "start": iso(end - span * DAY),
                         "stop": iso(end)}
                rows.append((f"granularity={grain}, {span} d",
                             *get_ms(store, metric_id, query, repeat)))
    query = {"start": iso(end - DAY), "stop": iso(end)}
    rows.append(("every granularity, 1 d",
                 *get_ms(store, metric_id, query, repeat)))
    return rows


def ingest(store, policy, repeat):
    runs = []
    for run in range(repeat):
        metric_id = store.metric(policy)
        began = time.process_time()
        for call in range(200):
            t = (T0 + call * 1000 + np.arange(1000, dtype=np.int64)) * S
            store.driver.add_measures({metric_id: (t, np.full(1000, 1.5))})
        runs.append(200_000 / (time.process_time() - began))
    return statistics.median(runs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drivers", default="sqlite,redis")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="statsvc-rollups-") as tmp:
        for name in args.drivers.split(","):
            print(f"\n## {name}\n")
            print("| policy | days at 1 Hz | fill points/CPU s | bytes/metric |")
            print("| --- | ---: | ---: | ---: |")
            for policy in POLICIES:
                store = Store(name, tmp, args.redis_url)
                metric_id = store.metric(policy)
                empty = store.used_bytes()
                days = min(POLICY_DAYS[policy], args.days)
                rate = fill(store, metric_id, days)
                size = store.used_bytes() - empty
                print(f"| {policy} | {days} | {rate:,.0f} | {size:,} |")
                if policy == "high":
                    found = queries(store, metric_id, days, args.repeat)
                store.close()
            print("\n| GET (high) | points | median CPU ms |\n"
                  "| --- | ---: | ---: |")
            for label, ms, points in found:
                print(f"| {label} | {points:,} | {ms:.2f} |")
            store = Store(name, tmp, args.redis_url)
            raw, high = (ingest(store, p, args.repeat) for p in (None, "high"))
            store.close()
            print(f"\ningest 1,000 points/call: no policy {raw:,.0f} "
                  f"points/CPU s, high {high:,.0f} points/CPU s "
                  f"(ratio {high / raw:.2f})")


if __name__ == "__main__":
    main()
