"""Ceilometer's write path, statsvc against Gnocchi 4.7.1, side by side.

Ceilometer's Gnocchi publisher posts, each polling cycle, one batch of
``{resource id: {metric name: {"archive_policy_name", "measures"}}}`` to
``/v1/batch/resources/metrics/measures?create_metrics=true``; on a 400
naming unknown resources it creates them and posts again. This replays
that for 50 resources x 10 metrics over ``--rounds`` cycles (one point per
metric per cycle, a minute apart) on each service, then waits until every
point is queryable (for Gnocchi: until metricd has processed them all).

Prints, per service, the median batch latency of the steady cycles, the
whole run's points per second up to "everything queryable", and the
ratios. Needs a running Gnocchi (``../shared/peers/gnocchi/up.sh W``).
Usage: python bench/ceilometer_batch.py --gnocchi http://127.0.0.1:8041
"""
import os
import sys

# Run from anywhere: the project root holds tests.integration.server.
sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

import argparse  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

from bench.vs_gnocchi import Client  # noqa: E402
from tests.integration.server import Server  # noqa: E402

RESOURCES, METRICS = 50, 10
START = 1_700_000_000  # epoch seconds of the first cycle
DEADLINE = 300  # seconds to wait for everything to be queryable


def batch(resources, cycle):
    stamp = START + 60 * cycle
    return {rid: {f"metric.{m}": {
        "archive_policy_name": "low",
        "measures": [{"timestamp": stamp, "value": float(cycle + m)}]}
        for m in range(METRICS)} for rid in resources}


def post_cycle(client, resources, cycle):
    """One publisher cycle, creating unknown resources as Ceilometer does."""
    path = "/v1/batch/resources/metrics/measures?create_metrics=true"
    body = batch(resources, cycle)
    answer = client.call("POST", path, body, expect=(202, 204, 400))
    if answer and "Unknown resources" in str(answer):
        for rid in resources:
            client.call("POST", "/v1/resource/generic",
                        {"id": rid, "project_id": str(uuid.uuid4()),
                         "user_id": str(uuid.uuid4())}, expect=(201, 409))
        client.call("POST", path, body, expect=(202, 204))


def queryable(client, resources, cycles):
    """Whether the last metric of every resource holds every cycle."""
    for rid in resources:
        measures = client.call(
            "GET", f"/v1/resource/generic/{rid}/metric/metric.{METRICS - 1}"
            f"/measures?aggregation=count&granularity=300")
        if sum(m[2] for m in measures) != cycles:
            return False
    return True


def run(name, base, cycles):
    client = Client(base)
    resources = [str(uuid.uuid4()) for _ in range(RESOURCES)]
    latencies = []
    began = time.perf_counter()
    for cycle in range(cycles):
        t0 = time.perf_counter()
        post_cycle(client, resources, cycle)
        latencies.append(time.perf_counter() - t0)
    posted = time.perf_counter()
    while not queryable(client, resources, cycles):
        if time.perf_counter() - posted > DEADLINE:
            raise RuntimeError(f"{name}: not queryable after {DEADLINE} s")
        time.sleep(0.2)
    done = time.perf_counter()
    points = RESOURCES * METRICS * cycles
    result = {"steady batch ms": statistics.median(latencies[1:]) * 1e3,
              "first batch ms": latencies[0] * 1e3,
              "queryable after last POST s": done - posted,
              "points/s to queryable": points / (done - began)}
    print(f"{name:8}", "  ".join(f"{k} {v:,.1f}" for k, v in result.items()),
          flush=True)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gnocchi", required=True)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, \
            Server(os.path.join(tmp, "data"), workers=3) as server:
        ours = run("statsvc", server.base, args.rounds)
        theirs = run("gnocchi", args.gnocchi, args.rounds)
    print(f"statsvc/gnocchi: steady batch latency "
          f"{theirs['steady batch ms'] / ours['steady batch ms']:.1f}x "
          f"faster, points/s to queryable "
          f"{ours['points/s to queryable'] / theirs['points/s to queryable']:.1f}x")


if __name__ == "__main__":
    main()
