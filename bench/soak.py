"""Soak: sustained mixed load on statsvc under uwsgi, on loopback, bounded.

Starts ``statsvc-api`` (real uwsgi, embedded storage, ``auth_mode = basic``
with one user) on a free 127.0.0.1 port, then for ``--duration`` seconds
``--clients`` threads on keep-alive connections each loop over a mix of

  POST 100 new measures to one of the metrics (60 %)
  GET a metric's measures over the client's last 5,000 s: raw (10 %),
  resampled to 1 min (10 %), through moving-average (10 %)
  POST a batch of 20 measures to each of two metrics (5 %)
  GET a metric (5 %)

Every point written is unique (client, sequence), so the points read back
at the end must be exactly those acknowledged (202), plus possibly some of
requests whose answer was lost, each once. Prints
requests served, errors by status, p50/p99 latency per kind, and the
workers' RSS at the start, every ``--rss-every`` seconds and at the end.
Usage: python bench/soak.py [--duration 60] [--clients 8] [--workers 2]
"""
import os
import sys

# bench/http.py would shadow the standard library's http package: replace
# this folder on sys.path by the project root (for tests.integration).
sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

import argparse  # noqa: E402
import base64  # noqa: E402
import collections  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from statsvc.api.auth import users  # noqa: E402
from statsvc.storage import load_driver  # noqa: E402
from tests.integration.server import Server  # noqa: E402

USER = ("soak", "soak-password")
METRICS = 8
MIX = [("post", 60), ("get raw", 10), ("get resampled", 10),
       ("get stat", 10), ("batch", 5), ("show", 5)]


def worker_rss_mib(master_pid):
    """RSS of each uwsgi worker (children of the master but the HTTP
    router), in MiB, from /proc."""
    rss = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            if ppid != master_pid:
                continue
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if b"uWSGI http" in f.read():
                    continue
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss.append(int(line.split()[1]) / 1024)
        except (OSError, IndexError, ValueError):
            continue  # exited meanwhile
    return sorted(rss)


class Client(threading.Thread):
    """One keep-alive connection running the mix until ``stop``."""

    def __init__(self, number, port, metrics, stop, seed):
        super().__init__(daemon=True)
        self.number, self.port, self.metrics, self.stop = (
            number, port, metrics, stop)
        self.random = random.Random(seed)
        self.latencies = collections.defaultdict(list)
        self.statuses = collections.Counter()
        # metric -> [(first timestamp, count)] of the points written by
        # acknowledged requests, and by requests whose answer was lost.
        self.acknowledged = collections.defaultdict(list)
        self.unknown = collections.defaultdict(list)
        self.sequence = 0
        self.served = 0  # requests sent on this client's connections
        token = base64.b64encode(":".join(USER).encode()).decode()
        self.headers = {"Authorization": f"Basic {token}",
                        "Content-Type": "application/json"}
        self.connection = None

    def _points(self, count):
        """``count`` points no other client or call writes."""
        first = self.number * 10 ** 8 + self.sequence
        self.sequence += count
        return [{"timestamp": 1_600_000_000 + t, "value": float(t % 1000)}
                for t in range(first, first + count)]

    def _request(self, kind, method, path, body=None):
        started = time.perf_counter()
        try:
            self.connection = self.connection or http.client.HTTPConnection(
                "127.0.0.1", self.port, timeout=60)
            self.connection.request(method, path, body, self.headers)
            response = self.connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as e:
            status = f"{type(e).__name__} after {self.served} requests"
            self.connection.close()
            self.connection = None
        self.served += 1
        self.latencies[kind].append(time.perf_counter() - started)
        self.statuses[status] += 1
        return status

    def _write(self, kind, path, batch):
        status = self._request(kind, "POST", path, json.dumps(
            batch if kind == "batch" else next(iter(batch.values()))))
        for metric, points in batch.items():
            span = (points[0]["timestamp"], len(points))
            if status == 202:
                self.acknowledged[metric].append(span)
            elif not isinstance(status, int) or status >= 500:
                self.unknown[metric].append(span)

    def run(self):
        kinds, weights = zip(*MIX)
        while not self.stop.is_set():
            kind = self.random.choices(kinds, weights)[0]
            metric = self.random.choice(self.metrics)
            # Reads cover this client's last 5,000 timestamps, so that their
            # cost stays flat while the series grow: RSS must too.
            first = 1_600_000_000 + self.number * 10 ** 8 + max(
                0, self.sequence - 5000)
            measures = f"/v1/metric/{metric}/measures"
            window = f"start={first}&stop={first + 5000}"
            if kind == "post":
                self._write(kind, measures, {metric: self._points(100)})
            elif kind == "batch":
                other = self.random.choice(self.metrics)
                while other == metric:
                    other = self.random.choice(self.metrics)
                self._write(kind, "/v1/batch/metrics/measures",
                            {metric: self._points(20),
                             other: self._points(20)})
            elif kind == "get raw":
                self._request(kind, "GET", f"{measures}?{window}")
            elif kind == "get resampled":
                self._request(kind, "GET",
                              f"{measures}?{window}&granularity=60")
            elif kind == "get stat":
                self._request(kind, "GET", f"{measures}?{window}"
                                           f"&stat=moving-average&window=10")
            else:
                self._request(kind, "GET", f"/v1/metric/{metric}")
        if self.connection is not None:
            self.connection.close()


def percentile(values, fraction):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * fraction))] * 1000


def read_back(server, headers, metric):
    """The stored timestamps of ``metric``, int seconds, in order."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port,
                                            timeout=120)
    connection.request("GET", f"/v1/metric/{metric}/measures",
                       headers=headers)
    points = json.loads(connection.getresponse().read())
    connection.close()
    iso = np.array([point[0][:19] for point in points], dtype="datetime64[s]")
    return iso.astype("int64")


def expand(spans):
    """Sorted timestamps of ``[(first, count)]`` spans."""
    if not spans:
        return np.empty(0, dtype="int64")
    return np.sort(np.concatenate([np.arange(first, first + count)
                                   for first, count in spans]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0,
                        help="seconds of load (bounded)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--rss-every", type=float, default=15.0)
    parser.add_argument("--log", help="keep the uwsgi log in this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        users.add_user(os.path.join(tmp, "users.json"), *USER)
        conf = os.path.join(tmp, "statsvc.conf")
        with open(conf, "w") as f:
            f.write(f"[api]\nauth_mode = basic\nusers_file = "
                    f"{os.path.join(tmp, 'users.json')}\n")
        # Created here: workers creating a new sqlite store at once can
        # fail on "PRAGMA journal_mode=WAL" (database is locked).
        load_driver({"driver": "sqlite",
                     "data_dir": os.path.join(tmp, "data")}).close()
        with Server(os.path.join(tmp, "data"), workers=args.workers,
                    extra_args=["--config", conf],
                    log_path=args.log) as server:
            run(server, args)


def run(server, args):
    seeder = Client(0, server.port, [], threading.Event(), 0)
    metrics = []
    for _ in range(METRICS):
        seeder._request("setup", "POST", "/v1/metric", json.dumps({}))
    seeder.connection.request("GET", "/v1/metric", headers=seeder.headers)
    metrics = [m["id"] for m in json.loads(
        seeder.connection.getresponse().read())]
    rss = [(0.0, worker_rss_mib(server.process.pid))]
    stop = threading.Event()
    clients = [Client(n, server.port, metrics, stop, seed=n)
               for n in range(1, args.clients + 1)]
    started = time.monotonic()
    for client in clients:
        client.start()
    while time.monotonic() - started < args.duration:
        time.sleep(min(args.rss_every,
                       args.duration - (time.monotonic() - started)))
        rss.append((time.monotonic() - started,
                    worker_rss_mib(server.process.pid)))
    stop.set()
    for client in clients:
        client.join(120)
    elapsed = time.monotonic() - started

    statuses = sum((c.statuses for c in clients), collections.Counter())
    served = sum(statuses.values())
    print(f"statsvc under uwsgi: {args.workers} workers, {args.clients} "
          f"clients, auth_mode = basic, {os.cpu_count()} cores, "
          f"{elapsed:.0f} s")
    print(f"requests served: {served:,} ({served / elapsed:,.0f}/s); "
          f"by status: {dict(sorted(statuses.items(), key=str))}")
    every = [lat for c in clients for lats in c.latencies.values()
             for lat in lats]
    print(f"latency all: p50 {percentile(every, 0.5):.1f} ms, "
          f"p99 {percentile(every, 0.99):.1f} ms")
    for kind, _ in MIX:
        lats = [lat for c in clients for lat in c.latencies[kind]]
        if lats:
            print(f"  {kind:14s} n={len(lats):6,}  p50 "
                  f"{percentile(lats, 0.5):6.1f} ms  p99 "
                  f"{percentile(lats, 0.99):6.1f} ms")
    acked = unanswered = stored = lost = strays = duplicates = 0
    for metric in metrics:
        timestamps = read_back(server, seeder.headers, metric)
        expected = expand([span for c in clients
                           for span in c.acknowledged[metric]])
        maybe = expand([span for c in clients for span in c.unknown[metric]])
        acked += len(expected)
        unanswered += len(maybe)
        stored += len(timestamps)
        duplicates += len(timestamps) - len(np.unique(timestamps))
        lost += len(np.setdiff1d(expected, timestamps))
        strays += len(np.setdiff1d(timestamps, np.union1d(expected, maybe)))
    print(f"points acknowledged: {acked:,}; read back: {stored:,}; "
          f"acknowledged but missing: {lost:,}; stored twice: "
          f"{duplicates:,}; stored but never sent: {strays:,}")
    print(f"points of requests whose answer was lost (connection error or "
          f"5xx): {unanswered:,}, of which stored: {stored - acked:,}")
    print("consistent" if not (lost or duplicates or strays)
          else "INCONSISTENT")
    for at, values in rss:
        print(f"worker RSS at {at:5.0f} s (MiB): "
              f"{', '.join(f'{v:.1f}' for v in values)}")


if __name__ == "__main__":
    main()
