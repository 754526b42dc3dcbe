"""A metric's stored bytes and GETs against stored span, statsvc and
Gnocchi 4.7.1 side by side, same series, same policy, one run.

Needs a running Gnocchi (``../shared/peers/gnocchi/up.sh WORKDIR``, file
storage): ``--gnocchi`` its base URL, ``--gnocchi-data`` its
``WORKDIR/data``. Starts its own statsvc-api (real uwsgi, SQLite) on a free
loopback port. Into one metric of policy ``low`` (5 min buckets for 30
days, six methods; the same default on both) each gets ``--days`` days at
1 Hz (a slow walk with one decimal) in chronological POSTs of 10,000;
Gnocchi's metricd is waited for. Then:

* bytes of the metric's data: Gnocchi's files under its metric's
  directory, statsvc's fragment and archive blobs of the metric;
* ``GET measures?granularity=300`` over the last 1, 7 and 30 days, median
  wall ms over ``--repeat`` keep-alive requests, and the ratio.

Usage: python bench/storage_vs_gnocchi.py --gnocchi http://127.0.0.1:8041
       --gnocchi-data WORKDIR/data [--days 30] [--repeat 20]
"""
import os
import sys

sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

import argparse  # noqa: E402
import pathlib  # noqa: E402
import sqlite3  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.parse  # noqa: E402

import numpy as np  # noqa: E402

from bench.vs_gnocchi import Client  # noqa: E402
from tests.integration.server import Server  # noqa: E402

DAY = 86400
START = 1_700_006_400  # a UTC midnight
BATCH = 10_000


def write(base, days):
    """A ``low`` metric with ``days`` days at 1 Hz; its id."""
    client = Client(base)
    metric = client.call("POST", "/v1/metric",
                         {"archive_policy_name": "low"})["id"]
    rng = np.random.default_rng(0)
    values = np.round(np.clip(50 + np.cumsum(
        rng.normal(0, 0.05, days * DAY)), 0, 100), 1).tolist()
    for first in range(0, days * DAY, BATCH):
        client.call("POST", f"/v1/metric/{metric}/measures", [
            {"timestamp": START + first + i, "value": values[first + i]}
            for i in range(min(BATCH, days * DAY - first))])
    return metric


def wait_processed(base, timeout=1800):
    client, deadline = Client(base), time.monotonic() + timeout
    while time.monotonic() < deadline:
        summary = client.call("GET", "/v1/status?details=false")
        if not summary["storage"]["summary"]["measures"]:
            return
        time.sleep(1)
    raise RuntimeError("Gnocchi's metricd did not catch up")


def gets(base, metric, days, repeat):
    client, end, out = Client(base), START + days * DAY, []
    for span in (1, 7, 30):
        if span > days:
            continue
        query = urllib.parse.urlencode({
            "granularity": 300, "start": end - span * DAY, "stop": end})
        times = []
        for _ in range(repeat):
            began = time.perf_counter()
            got = client.call("GET", f"/v1/metric/{metric}/measures?{query}")
            times.append(time.perf_counter() - began)
        out.append((span, len(got), 1000 * statistics.median(times)))
    return out


def gnocchi_bytes(data_dir, metric):
    return sum(f.stat().st_size for f in pathlib.Path(data_dir).rglob("*")
               if f.is_file() and metric in str(f))


def statsvc_bytes(data_dir, metric):
    conn = sqlite3.connect(pathlib.Path(data_dir) / "statsvc.sqlite")
    key, = conn.execute("SELECT key FROM metric WHERE id = ?",
                        (metric,)).fetchone()
    size = sum(conn.execute(
        f"SELECT coalesce(sum(length(data)), 0) FROM {table}"
        " WHERE metric = ?", (key,)).fetchone()[0]
        for table in ("fragment", "archive"))
    conn.close()
    return size


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gnocchi", required=True)
    parser.add_argument("--gnocchi-data", required=True)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = os.path.join(tmp, "data")
        with Server(data_dir, workers=2) as server:
            began = time.monotonic()
            ours = write(server.base, args.days)
            ours_s = time.monotonic() - began
            began = time.monotonic()
            theirs = write(args.gnocchi, args.days)
            wait_processed(args.gnocchi)
            theirs_s = time.monotonic() - began
            sizes = (statsvc_bytes(data_dir, ours),
                     gnocchi_bytes(args.gnocchi_data, theirs))
            rows = zip(gets(server.base, ours, args.days, args.repeat),
                       gets(args.gnocchi, theirs, args.days, args.repeat))
            print(f"{args.days} days at 1 Hz under low: written and "
                  f"queryable in {ours_s:.0f} s (statsvc), {theirs_s:.0f} s "
                  f"(Gnocchi, metricd included)")
            print(f"bytes of the metric: statsvc {sizes[0]:,}, Gnocchi "
                  f"{sizes[1]:,} (ratio {sizes[0] / sizes[1]:.2f})")
            print("| GET granularity=300 | buckets statsvc / Gnocchi |"
                  " statsvc ms | Gnocchi ms | ratio |")
            print("| --- | ---: | ---: | ---: | ---: |")
            for (span, n, ms), (_, gn, gms) in rows:
                print(f"| last {span} d | {n:,} / {gn:,} | {ms:.2f} |"
                      f" {gms:.2f} | {ms / gms:.2f} |")


if __name__ == "__main__":
    main()
