"""How long the redis driver takes to follow a Sentinel failover, what
``min_replicas`` costs in writes per second, and what acknowledged writes
a master's SIGKILL loses, with and without it.

On the test Sentinel set (``tests/redis_sentinel.py``: a master, 2
replicas, 3 sentinels on 127.0.0.1:7200-7207, ``down-after-milliseconds``
1000), 4 writer threads share one driver, each appending batches of 5
points to its own metric. For each ``min_replicas`` (0, then 1), each of
``--failovers`` rounds writes for 2 s, SIGKILLs the master, and measures:

* sentinel: from the kill until the sentinels name a new master that
  accepts writes (the peer: what Sentinel itself takes);
* statsvc: from the kill until every writer began a write that the driver
  acknowledged (its earlier ones failed, quickly, or waited);
* the batches acknowledged before the kill then missing after it.

It prints medians, and the ratios statsvc/sentinel and of the writes per
second (min_replicas=1 over 0). The killed node comes back as a replica
before the next round.

Usage: python bench/sentinel_failover.py [--failovers 5]
"""
import os
import sys

# Run as a script from anywhere: the repository root comes first.
sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from statsvc.storage.redis_driver import RedisDriver  # noqa: E402
from tests import redis_sentinel  # noqa: E402

WRITERS = 4
STEADY_SECONDS = 2.0


def one_failover(sentinels, driver):
    metric_ids = [f"bench-{time.monotonic_ns()}-{w}" for w in range(WRITERS)]
    for metric_id in metric_ids:
        driver.create_metric({"id": metric_id})
    with redis_sentinel.Load(driver, metric_ids) as load:
        time.sleep(STEADY_SECONDS)
        rate = sum(map(len, load.acked.values())) / STEADY_SECONDS
        old = sentinels.kill_master()
        killed_at = time.monotonic()
        switch = sentinels.wait_failover(old)
        load.acked_after(5)
        load.stopping.set()
        recovered = load.recovered(killed_at)
    lost = 0
    for metric_id in metric_ids:
        _, values = driver.get_measures(metric_id)
        before = [b for b, t in zip(load.acked[metric_id],
                                    load.acked_at[metric_id])
                  if t < killed_at]
        lost += len(set(before) - set(np.unique(values).astype(int)))
    acked_before = sum(1 for times in load.acked_at.values()
                       for t in times if t < killed_at)
    sentinels.restore(old)
    return rate, switch, recovered, lost, acked_before


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--failovers", type=int, default=5)
    args = parser.parse_args()
    if redis_sentinel.binaries_missing() or not redis_sentinel.ports_free():
        sys.exit("needs redis-server, redis-sentinel and ports 7200-7207 free")
    sentinels = redis_sentinel.SentinelSet()
    sentinels.start()
    rates = {}
    try:
        print(f"{args.failovers} SIGKILLs of the master per row, {WRITERS} "
              f"writers, down-after-milliseconds "
              f"{redis_sentinel.DOWN_AFTER_MS}")
        print(f"{'min_replicas':>12} {'batches/s':>10} {'sentinel s':>11} "
              f"{'statsvc s':>10} {'ratio':>6} {'acked lost':>16}")
        for min_replicas in (0, 1):
            driver = RedisDriver({
                "url": redis_sentinel.URL,
                "key_prefix": redis_sentinel.new_prefix(),
                "socket_timeout": "0.5", "socket_connect_timeout": "0.5",
                "min_replicas": str(min_replicas), "wait_timeout_ms": "200"})
            runs = [one_failover(sentinels, driver)
                    for _ in range(args.failovers)]
            driver.close()
            rate, switch, recovered = (statistics.median(r[i] for r in runs)
                                       for i in range(3))
            rates[min_replicas] = rate
            lost, acked = sum(r[3] for r in runs), sum(r[4] for r in runs)
            print(f"{min_replicas:>12} {rate:>10.0f} {switch:>11.2f} "
                  f"{recovered:>10.2f} {recovered / switch:>6.2f} "
                  f"{f'{lost} of {acked}':>16}")
        print(f"writes/s with min_replicas=1 over 0: {rates[1] / rates[0]:.2f}")
    finally:
        sentinels.stop()


if __name__ == "__main__":
    main()
