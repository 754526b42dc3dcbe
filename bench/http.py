"""HTTP throughput and latency of statsvc under uwsgi, on loopback.

Starts ``statsvc-api`` (real uwsgi, embedded storage) on a free 127.0.0.1
port, loads a 10^5-point and a 3,600-point metric, then drives it with wrk
(keep-alive connections, bounded duration) for:

  (a) GET measures?stat=moving-average&window=10 on the 10^5-point metric
  (b) the same on the 3,600-point metric
  (c) POST batches of 1,000 new measures to one metric

at 1 and 8 concurrent clients, printing requests/s, p50/p99 latency, the
workers' RSS at rest and after, whether every acknowledged point is
queryable at once, and the ratios against Gnocchi 4.7.1's figures measured
on this kind of machine (issue 6). Usage: python bench/http.py [--duration 10]
"""
import os
import sys

# This file is named http.py: drop its folder from sys.path so that the
# standard library's http package (used by urllib) is the one imported, and
# put the project root there instead for tests.integration.server.
sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

import argparse  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import urllib.request  # noqa: E402

from bench import wrk_runner  # noqa: E402
from tests.integration.server import Server  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
# Gnocchi 4.7.1 on this kind of machine (3 processes x 2 threads, file
# storage), from issue 6: requests/s at 8 clients, and points/s ingested.
GNOCCHI = {"a": 1.0, "b": 25.0, "c_points": 130_000.0, "rss_mib": 115.0}


def post_json(base, path, body):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as resp:
        raw = resp.read()
    return json.loads(raw) if raw else None


def make_metric(base, points):
    metric = post_json(base, "/v1/metric", {"name": f"bench-{points}"})["id"]
    for start in range(0, points, 10_000):
        post_json(base, f"/v1/metric/{metric}/measures", [
            {"timestamp": 1_600_000_000 + t, "value": (t % 97) * 1.5}
            for t in range(start, min(points, start + 10_000))])
    return metric


def count_points(base, metric):
    """Points stored, counted by the server in buckets of ~30 years."""
    url = (f"{base}/v1/metric/{metric}/measures?granularity=1000000000"
           f"&aggregation=count")
    with urllib.request.urlopen(url) as r:
        return int(sum(point[2] for point in json.loads(r.read())))


def worker_rss_mib(master_pid):
    """RSS of each uwsgi worker, in MiB (statsvc-api execs uwsgi, so the
    launcher's pid is the master's; the HTTP router is not a worker)."""
    out = subprocess.run(["ps", "-o", "pid=,ppid=,rss=,args=", "--ppid",
                          str(master_pid)], capture_output=True, text=True)
    return [int(line.split()[2]) / 1024 for line in out.stdout.splitlines()
            if "uWSGI http" not in line and "uwsgi" in line]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10,
                        help="seconds per wrk run (bounded)")
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=os.path.expanduser("~")) as tmp, \
            Server(os.path.join(tmp, "data"), workers=args.workers,
                   extra_args=["--threads", str(args.threads)]) as server:
        base = server.base
        big, small = make_metric(base, 100_000), make_metric(base, 3_600)
        sink = post_json(base, "/v1/metric", {"name": "ingest"})["id"]
        rss_rest = worker_rss_mib(server.process.pid)
        print(f"statsvc under uwsgi: {args.workers} workers x {args.threads} "
              f"threads, "
              f"{os.cpu_count()} cores; wrk -d{args.duration}s keep-alive")
        print(f"worker RSS at rest (MiB): "
              f"{', '.join(f'{r:.1f}' for r in rss_rest)}")
        query = "?stat=moving-average&window=10"
        rows = []
        for key, label, url, script in [
                ("a", "GET moving-average, 10^5 points",
                 f"{base}/v1/metric/{big}/measures{query}", None),
                ("b", "GET moving-average, 3,600 points",
                 f"{base}/v1/metric/{small}/measures{query}", None),
                ("c", "POST 1,000 measures",
                 f"{base}/v1/metric/{sink}/measures",
                 os.path.join(HERE, "wrk_post_measures.lua"))]:
            for clients in (1, 8):
                result = wrk_runner.run(url, clients, args.duration,
                                        script, script_args=[str(len(rows))])
                rows.append((key, label, clients, result))
                extra = (f"  points/s {result['rps'] * 1000:,.0f}"
                         if key == "c" else "")
                print(f"({key}) {label:34s} c={clients}  "
                      f"{result['rps']:8.1f} req/s  p50 {result['p50']:7.1f} "
                      f"ms  p99 {result['p99']:7.1f} ms  non-2xx "
                      f"{result['non2xx']}  socket errors "
                      f"{result['socket_errors']}{extra}")
        acknowledged = sum(r["requests"] - r["non2xx"] for k, _, _, r in rows
                           if k == "c") * 1000
        stored = count_points(base, sink)
        print(f"POSTed points acknowledged by wrk: {acknowledged:,}; "
              f"queryable right after: {stored:,} (wrk does not count "
              f"requests in flight when it stops, so stored may exceed it "
              f"by up to 8,000)")
        rss_after = worker_rss_mib(server.process.pid)
        print(f"worker RSS after (MiB): "
              f"{', '.join(f'{r:.1f}' for r in rss_after)}")
        at8 = {k: r for k, _, c, r in rows if c == 8}
        print("\nratios against Gnocchi 4.7.1 (issue 6 figures, 8 clients):")
        print(f"  (a) {at8['a']['rps'] / GNOCCHI['a']:.0f}x requests/s "
              f"(target >= 20x)")
        print(f"  (b) {at8['b']['rps'] / GNOCCHI['b']:.0f}x requests/s "
              f"(target >= 10x)")
        print(f"  (c) {at8['c']['rps'] * 1000 / GNOCCHI['c_points']:.1f}x "
              f"points/s (target >= 3x, >= 400,000 points/s)")
        print(f"  worker RSS at rest {max(rss_rest):.0f} MiB vs Gnocchi's "
              f"{GNOCCHI['rss_mib']:.0f} MiB (target <= 60 MiB)")


if __name__ == "__main__":
    main()
