"""statsvc against Gnocchi 4.7.1, side by side, same workload, one run.

Needs a running Gnocchi (``../shared/peers/gnocchi/up.sh WORKDIR``; its
``peer.env`` gives ``GNOCCHI_BASE``) and wrk. Starts its own statsvc-api
(real uwsgi, embedded storage, as many worker processes as Gnocchi's API)
on a free loopback port, then for each service, with the same archive
policy on its metrics, bounded in time:

1. ingest 10^6 points in POSTs of 1,000 from 4 keep-alive client threads,
   and time until all of them are queryable (Gnocchi: until metricd has
   processed them);
2. GET the measures of a 10^5-point metric (``aggregation=mean`` at its
   finest granularity, 1 s) with wrk at 8 keep-alive clients.

Prints points/s, time-to-queryable, requests/s and p99 for both, and the
ratios. Usage: python bench/vs_gnocchi.py --gnocchi http://127.0.0.1:8041
"""
import os
import sys

# Run from anywhere: the project root holds tests.integration.server.
sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

import argparse  # noqa: E402
import base64  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import queue  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import urllib.parse  # noqa: E402

from bench import wrk_runner  # noqa: E402
from tests.integration.server import Server  # noqa: E402

DEADLINE = 600  # seconds, for any one phase
START = 1_500_000_000  # epoch seconds of the first point
# Both services keep what this archive policy says: 1 s points for the whole
# run, and a daily count to poll cheaply for "everything is processed".
POLICY = {"name": "bench-vs-statsvc", "back_window": 0,
          "aggregation_methods": ["mean", "count"],
          "definition": [{"granularity": "1s", "points": 1_100_000},
                         {"granularity": "1d", "points": 30}]}
# Gnocchi's peer runs with HTTP Basic, user admin and an empty password;
# statsvc in its default mode ignores the header.
AUTH = "Basic " + base64.b64encode(b"admin:").decode()


class Client:
    """One keep-alive HTTP connection speaking JSON."""

    def __init__(self, base):
        url = urllib.parse.urlparse(base)
        self.conn = http.client.HTTPConnection(url.hostname, url.port,
                                               timeout=120)

    def call(self, method, path, body=None, expect=(200, 201, 202, 204)):
        headers = {"Authorization": AUTH, "Accept": "application/json"}
        if body is not None:
            body = json.dumps(body)
            headers["Content-Type"] = "application/json"
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read()
                break
            except (http.client.HTTPException, OSError):
                # Gnocchi's uwsgi closes kept-alive connections (issue 156).
                self.conn.close()
                if attempt:
                    raise
        if resp.status not in expect:
            raise RuntimeError(f"{method} {path}: {resp.status} {data[:300]}")
        return json.loads(data) if data else None


def create_metric(base):
    client = Client(base)
    return client.call("POST", "/v1/metric",
                       {"archive_policy_name": POLICY["name"]})["id"]


def ensure_policy(base):
    Client(base).call("POST", "/v1/archive_policy", POLICY,
                      expect=(201, 409))


def ingest(base, metric, points, threads=4, batch=1000):
    """POST ``points`` 1 s points in batches; return seconds taken."""
    batches = queue.Queue()
    for first in range(0, points, batch):
        batches.put(first)
    errors = []

    def work():
        client = Client(base)
        while time.monotonic() < deadline:
            try:
                first = batches.get_nowait()
            except queue.Empty:
                return
            body = [{"timestamp": START + first + i, "value": float(i % 97)}
                    for i in range(min(batch, points - first))]
            try:
                client.call("POST", f"/v1/metric/{metric}/measures", body)
            except Exception as e:  # reported after the run
                errors.append(e)
                return

    deadline = time.monotonic() + DEADLINE
    began = time.monotonic()
    workers = [threading.Thread(target=work) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if errors or not batches.empty():
        raise RuntimeError(f"ingest incomplete: {errors[:1]}")
    return time.monotonic() - began


def queryable_count(client, metric):
    """Points the service answers for, counted by day buckets."""
    rows = client.call("GET", f"/v1/metric/{metric}/measures?"
                              f"granularity=86400&aggregation=count")
    return int(sum(row[2] for row in rows))


def wait_queryable(base, metric, points):
    client = Client(base)
    began = time.monotonic()
    while time.monotonic() - began < DEADLINE:
        if queryable_count(client, metric) >= points:
            return time.monotonic() - began
        time.sleep(0.2)
    raise RuntimeError(f"{points} points not queryable after {DEADLINE} s")


def run(name, base, points, get_points, duration):
    # Both services keep the same policy and compute the same aggregates
    # (statsvc at query time, Gnocchi in metricd).
    ensure_policy(base)
    big = create_metric(base)
    seconds = ingest(base, big, points)
    lag = wait_queryable(base, big, points)
    getter = create_metric(base)
    ingest(base, getter, get_points)
    wait_queryable(base, getter, get_points)
    got = wrk_runner.run(f"{base}/v1/metric/{getter}/measures?"
                         f"aggregation=mean&granularity=1", 8, duration,
                         headers=[f"Authorization: {AUTH}"])
    rps, p99 = got["rps"], got["p99"]
    result = {"points_per_s": points / seconds, "queryable_s": lag,
              "ingest_to_queryable_s": seconds + lag, "get_rps": rps,
              "get_p99_ms": p99}
    print(f"{name:8s} ingest {result['points_per_s']:>10,.0f} points/s  "
          f"queryable {lag:6.2f} s after the last POST  "
          f"GET {get_points:,} points {rps:6.1f} req/s p99 {p99:8.1f} ms",
          flush=True)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gnocchi", default=os.environ.get(
        "GNOCCHI_BASE", "http://127.0.0.1:8041"))
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--get-points", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=3,
                        help="statsvc worker processes (Gnocchi's API has "
                             "floor(1.5 x cores))")
    parser.add_argument("--duration", type=int, default=15,
                        help="seconds of each wrk run")
    args = parser.parse_args()
    if urllib.parse.urlparse(args.gnocchi).hostname not in ("127.0.0.1",
                                                            "localhost"):
        raise SystemExit("loopback only")
    with tempfile.TemporaryDirectory(dir=os.path.expanduser("~")) as tmp, \
            Server(os.path.join(tmp, "data"), workers=args.workers) as server:
        print(f"{args.points:,} points in POSTs of 1,000 from 4 threads; GET "
              f"of a {args.get_points:,}-point metric at 8 clients; statsvc "
              f"{args.workers} workers, Gnocchi at {args.gnocchi}")
        ours = run("statsvc", server.base, args.points, args.get_points,
                   args.duration)
    theirs = run("gnocchi", args.gnocchi, args.points, args.get_points,
                 args.duration)
    print("\nratios statsvc / gnocchi (higher is better for statsvc):")
    for label, ratio in [
            ("ingest points/s", ours["points_per_s"] / theirs["points_per_s"]),
            ("first POST to all queryable, faster by",
             theirs["ingest_to_queryable_s"] / ours["ingest_to_queryable_s"]),
            ("GET requests/s", ours["get_rps"] / theirs["get_rps"]),
            ("GET p99, lower by", theirs["get_p99_ms"] / ours["get_p99_ms"])]:
        print(f"  {label:40s} {ratio:7.1f}x")


if __name__ == "__main__":
    main()
