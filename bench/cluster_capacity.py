"""Capacity of the redis driver on a Redis Cluster: the figures the model of
``bench/RESULTS_cluster.md`` uses, measured on a 3-primary, 3-replica
cluster that this script starts on 127.0.0.1:7100-7105 (``redis-server``).

1. Bytes per metric under each default archive policy, one point every
   10 s over the policy's longest timespan (capped by ``--days``), a day
   per ``add_measures`` call: the sum of ``MEMORY USAGE`` of the metric's
   keys (they share its hash tag, so one node holds them all).
2. A simulation: ``--metrics`` metrics of ``--policy`` written round after
   round, points 10 s apart, ``--per-call`` points of each of ``--batch``
   metrics per ``add_measures`` call (as a collector's batch POST), for
   ``--rounds`` rounds; the same on one Redis (``--redis-url``) beside it. It reports points/s (wall and per CPU second of this client,
   which stands for an API worker: the worker's own HTTP cost comes on
   top), Redis commands per point, and each primary's memory per metric,
   set against a single metric written the same way (the model's
   per-metric figure).

Usage: python -P bench/cluster_capacity.py [--days 365] [--metrics 100000]
       [--rounds 3] [--batch 1000] [--per-call 1] [--policy medium]
"""
import argparse
import os
import statistics
import sys
import time
import uuid

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
from statsvc import archive_policy  # noqa: E402
from statsvc.storage.redis_driver import RedisDriver  # noqa: E402
from tests import redis_cluster  # noqa: E402

S = 10**9
DAY = 86400
STEP = 10  # seconds between two points of a metric
T0 = 1_700_006_400


def spec(name):
    return archive_policy.rollup_spec(archive_policy.with_defaults(
        archive_policy.DEFAULT_POLICIES[name]))


def metric_bytes(driver, metric_id):
    """``MEMORY USAGE`` of every key of one metric (all on one node)."""
    client = driver._redis
    node = client.get_node_from_key(driver._meta_key(metric_id))
    plain = client.get_redis_connection(node)
    keys = list(plain.scan_iter(match=f"{driver.prefix}*{{{metric_id}}}*",
                                count=10000))
    return sum(plain.memory_usage(k, samples=0) or 0 for k in keys)


def longest_days(name):
    policy = archive_policy.with_defaults(archive_policy.DEFAULT_POLICIES[name])
    return max(i["timespan"] for i in policy["definition"]) / DAY


def per_policy(driver, days_cap):
    """``{policy: (days written, bytes per metric)}``."""
    out = {}
    for name in ("low", "medium", "high", "bool"):
        metric_id = str(uuid.uuid4())
        driver.create_metric({"id": metric_id, "rollup": spec(name)})
        days = int(min(longest_days(name), days_cap))
        per_day = DAY // STEP
        rng = np.random.default_rng(1)
        for day in range(days):
            ts = (T0 + day * DAY + np.arange(per_day) * STEP) * S
            values = np.round(50 + np.cumsum(rng.normal(0, 0.3, per_day)), 1)
            driver.add_measures({metric_id: (ts, values)})
        out[name] = (days, metric_bytes(driver, metric_id))
    return out


def primaries_info(cluster):
    """``{port: (used_memory, commands processed, CPU seconds)}``."""
    out = {}
    for port in cluster.primaries():
        info = cluster.node(port).info()
        out[port] = (info["used_memory"], info["total_commands_processed"],
                     info["used_cpu_user"] + info["used_cpu_sys"])
    return out


def prefix_bytes(driver):
    """``MEMORY USAGE`` of every key of the driver's prefix, all nodes."""
    client = driver._redis
    nodes = ([client.get_redis_connection(n) for n in client.get_primaries()]
             if driver.cluster else [client])
    return sum(node.memory_usage(key, samples=0) or 0 for node in nodes
               for key in node.scan_iter(match=driver.prefix + "*",
                                         count=10000))


def simulate(driver, args):
    """Write ``args.rounds`` rounds of a point per metric; the medians of
    a round's wall and client CPU time, and the metrics' bytes."""
    ids = [str(uuid.uuid4()) for _ in range(args.metrics)]
    roll = spec(args.policy)
    began = time.monotonic()
    for metric_id in ids:
        driver.create_metric({"id": metric_id, "rollup": roll})
    created = time.monotonic() - began
    rounds = []
    rng = np.random.default_rng(2)
    n = args.per_call
    for r in range(args.rounds):
        ts = (T0 + (r * n + np.arange(n)) * STEP) * S
        wall, cpu = time.monotonic(), time.process_time()
        for at in range(0, len(ids), args.batch):
            driver.add_measures({
                m: (ts, np.round(rng.normal(50, 5, n), 1))
                for m in ids[at:at + args.batch]})
        rounds.append((time.monotonic() - wall, time.process_time() - cpu))
    points = args.metrics * n
    return {"create_per_s": args.metrics / created,
            "wall_pps": points / statistics.median(w for w, _ in rounds),
            "cpu_pps": points / statistics.median(c for _, c in rounds),
            "bytes_per_metric": prefix_bytes(driver) / args.metrics}


def single_metric_bytes(driver, args):
    """The model's figure: one metric written as in :func:`simulate`."""
    metric_id = str(uuid.uuid4())
    driver.create_metric({"id": metric_id, "rollup": spec(args.policy)})
    n = args.per_call
    for r in range(args.rounds):
        driver.add_measures({metric_id: (
            (T0 + (r * n + np.arange(n)) * STEP) * S, np.full(n, 50.0))})
    return metric_bytes(driver, metric_id)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=float, default=365)
    parser.add_argument("--metrics", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--policy", default="medium")
    parser.add_argument("--per-call", type=int, default=1,
                        help="points per metric in a call (6: a collector "
                        "sending a minute of points at once)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15",
                        help="the one Redis compared with (a key prefix of "
                        "its own, deleted after)")
    args = parser.parse_args()
    cluster = redis_cluster.Cluster()
    cluster.start()
    try:
        driver = RedisDriver({"url": redis_cluster.URL, "cluster": "true",
                              "key_prefix": "bench:"})
        print("## Bytes per metric, one point every 10 s\n")
        print("| policy | days written | bytes per metric |")
        print("| --- | ---: | ---: |")
        for name, (days, size) in per_policy(driver, args.days).items():
            print(f"| {name} | {days} | {size:,} |")
        for port in cluster.primaries():
            cluster.node(port).flushall()
        before = primaries_info(cluster)
        result = simulate(driver, args)
        after = primaries_info(cluster)
        single = RedisDriver({"url": args.redis_url,
                              "key_prefix": f"bench-{uuid.uuid4()}:"})
        peer = simulate(single, args)
        for key in single._redis.scan_iter(match=single.prefix + "*"):
            single._redis.delete(key)
        single.close()
        print(f"\n## Simulation: {args.metrics:,} metrics of "
              f"{args.policy}, {args.rounds} rounds of {args.per_call} "
              "point(s) each, "
              f"{args.batch} metrics per call\n")
        print("| measure | cluster (3 primaries) | one Redis | ratio |")
        print("| --- | ---: | ---: | ---: |")
        for key, label in (("create_per_s", "metrics created/s"),
                           ("wall_pps", "points/s, wall (median round)"),
                           ("cpu_pps", "points per client CPU s"),
                           ("bytes_per_metric", "bytes per metric")):
            print(f"| {label} | {result[key]:,.0f} | {peer[key]:,.0f} | "
                  f"{result[key] / peer[key]:.2f} |")
        points = args.metrics * args.rounds * args.per_call
        commands = sum(after[p][1] - before[p][1] for p in before)
        print(f"\nCluster: {commands / points:.1f} Redis commands per point "
              "(reads, scripts, and their writes); per primary:")
        cpu = sum(after[p][2] - before[p][2] for p in before)
        print(f"Redis CPU per point: {cpu / points * 1e6:.1f} us, so "
              f"{points / cpu:,.0f} points per CPU s of a shard's thread "
              "(creations and all rounds, every primary).")
        for port in before:
            print(f"- {port}: {cluster.node(port).dbsize():,} keys, "
                  f"{(after[port][0] - before[port][0]) / 2**20:,.1f} MiB "
                  "more used_memory, "
                  f"{after[port][2] - before[port][2]:.1f} CPU s")
        print(f"- one metric alone (MEMORY USAGE of its keys): "
              f"{single_metric_bytes(driver, args):,} B")
        driver.close()
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
