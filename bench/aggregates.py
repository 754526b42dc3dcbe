"""POST /v1/aggregates (or, with ``--api aggregation``, Gnocchi's older
/v1/aggregation), statsvc against Gnocchi 4.7.1, side by side.

Needs a running Gnocchi (``../shared/peers/gnocchi/up.sh WORKDIR``; its
``peer.env`` gives ``GNOCCHI_BASE``). Starts its own statsvc-api (real
uwsgi, embedded storage, as many worker processes as Gnocchi's API), then
for each service: 100 metrics of one archive policy (1 minute for a day),
each given a day of 1-minute points in one batch POST, waits until all are
queryable, then times ``(aggregate mean (metric (ID mean) ...))`` over the
100 metrics at ``granularity=60`` from 1 and 4 keep-alive clients for a
fixed duration: requests/s and median latency, and the ratios. With
``--api aggregation`` the timed request is ``POST
/v1/aggregation/metric?granularity=60`` of the 100 ids (the same
computation, as Gnocchi runs it), and the agreement check compares
:data:`AGGREGATION_QUERIES` over three metrics.

It also checks that both services agree, to 1e-9 relative, on a set of
expressions and on ``--random`` random ones over the same random data (an
error agrees with an error of the same status).

Usage: python bench/aggregates.py --gnocchi http://127.0.0.1:8041
"""
import os
import sys

# Run from anywhere: the project root holds tests.integration.server.
sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import urllib.parse  # noqa: E402

from bench.vs_gnocchi import Client  # noqa: E402
from tests.integration.server import Server  # noqa: E402

START = 1_500_000_000 - 1_500_000_000 % 86400  # a midnight, epoch seconds
POLICY = {"name": "bench-aggregates", "back_window": 0,
          "aggregation_methods": ["mean", "max"],
          "definition": [{"granularity": "60s", "points": 1440}]}
DEADLINE = 600


def populate(base, metrics, points, seed):
    """``metrics`` new metrics of :data:`POLICY` with ``points`` 1-minute
    points each (the same values on both services); their ids."""
    client = Client(base)
    client.call("POST", "/v1/archive_policy", POLICY, expect=(201, 409))
    ids = [client.call("POST", "/v1/metric",
                       {"archive_policy_name": POLICY["name"]})["id"]
           for _ in range(metrics)]
    rng = random.Random(seed)
    batch = {}
    for metric in ids:
        level = rng.uniform(-50, 50)
        batch[metric] = [{"timestamp": START + 60 * i,
                          "value": round(level + rng.gauss(0, 10), 6)}
                         for i in range(points)]
    client.call("POST", "/v1/batch/metrics/measures", batch)
    began = time.monotonic()
    for metric in ids:  # Gnocchi: until metricd has processed them
        while len(client.call("GET", f"/v1/metric/{metric}/measures?"
                                     f"granularity=60")) < points:
            if time.monotonic() - began > DEADLINE:
                raise RuntimeError("measures not processed in time")
            time.sleep(0.5)
    return ids


#: Query strings of /v1/aggregation compared on both services.
AGGREGATION_QUERIES = (
    "granularity=60", "granularity=60&reaggregation=max",
    "aggregation=max&reaggregation=min", "granularity=60&resample=3600",
    "granularity=60&fill=0", "granularity=60&needed_overlap=0",
    "aggregation=nope")


def operations(ids, method="mean"):
    refs = " ".join(f"({metric} {method})" for metric in ids)
    return f"(aggregate {method} (metric {refs}))"


def load(base, path, body, clients, duration):
    """Requests/s and median latency (ms) of ``clients`` threads POSTing
    ``body`` to ``path`` for ``duration`` seconds."""
    latencies, lock = [], threading.Lock()
    stop = time.monotonic() + duration

    def work():
        client, mine = Client(base), []
        while time.monotonic() < stop:
            began = time.perf_counter()
            client.call("POST", path, body)
            mine.append(time.perf_counter() - began)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=work) for _ in range(clients)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return (len(latencies) / (time.monotonic() - began),
            statistics.median(latencies) * 1000)


def expressions(a, b, c):
    """Expressions over three metrics, each as Gnocchi accepts it."""
    return [
        f"(aggregate mean (metric ({a} mean) ({b} mean) ({c} mean)))",
        f"(aggregate max (metric ({a} max) ({b} max)))",
        f"(aggregate rate:mean (metric ({a} mean) ({b} mean)))",
        f"(- (metric {a} mean) (metric {b} mean))",
        f"(* (abs (metric {c} mean)) 2.5)",
        f"(rolling mean 5 (metric {a} mean))",
        f"(resample max 3600 (metric ({a} mean) ({b} mean)))",
        f"(/ (aggregate sum (metric ({a} mean) ({c} mean))) 3)",
        f"(rateofchange (metric {b} mean))",
        f"(clip (metric {a} mean) -10 10)",
    ]


_REDUCTIONS = ("mean", "max", "min", "sum", "count", "median", "std",
               "rate:mean")
_ELEMENTWISE = ("abs", "neg", "floor", "rateofchange")
_ARITHMETIC = ("+", "-", "*", "/", "**", "%")


def random_expression(rng, names, depth=3):
    """A random expression over the metrics ``names`` (``mean`` series)."""
    if depth == 0 or rng.random() < 0.25:
        chosen = rng.sample(names, rng.randint(1, len(names)))
        return "(metric " + " ".join(f"({n} mean)" for n in chosen) + ")"
    inner = random_expression(rng, names, depth - 1)
    kind = rng.randrange(6)
    if kind == 0:
        return f"(aggregate {rng.choice(_REDUCTIONS)} {inner})"
    if kind == 1:
        return f"({rng.choice(_ELEMENTWISE)} {inner})"
    if kind == 2:
        constant = rng.choice(("2", "0.5", "-3", "10"))
        return f"({rng.choice(_ARITHMETIC)} {inner} {constant})"
    if kind == 3:
        other = random_expression(rng, names, depth - 1)
        return f"({rng.choice(_ARITHMETIC[:4])} {inner} {other})"
    if kind == 4:
        return (f"(rolling {rng.choice(_REDUCTIONS)} {rng.randint(2, 6)} "
                f"{inner})")
    return f"(clip {inner} -20 {rng.choice(('0', '20'))})"


def answer(base, expression):
    """``(status, measures or None)`` of an expression; status 0 when the
    server dropped the connection."""
    try:
        return 200, Client(base).call("POST", "/v1/aggregates",
                                      {"operations": expression},
                                      expect=(200,))["measures"]
    except RuntimeError as e:
        return int(str(e).split(": ")[1].split()[0]), None
    except (OSError, http.client.HTTPException):
        return 0, None  # no answer: the connection was dropped


def agree(ours, theirs):
    """Whether two responses hold the same series to 1e-9 relative."""
    if isinstance(ours, dict):
        return isinstance(theirs, dict) and ours.keys() == theirs.keys() \
            and all(agree(ours[k], theirs[k]) for k in ours)
    if len(ours) != len(theirs):
        return False
    for (t1, g1, v1), (t2, g2, v2) in zip(ours, theirs):
        if t1 != t2 or g1 != g2 or not _same(v1, v2):
            return False
    return True


def _same(ours, theirs):
    # statsvc writes NaN and infinities as null (strict JSON).
    if ours is None:
        return theirs is None or not math.isfinite(theirs)
    return math.isclose(ours, theirs, rel_tol=1e-9, abs_tol=1e-12)


def check(ours_base, our_ids, gnocchi_base, their_ids, labels):
    """Each expression of ``labels`` (over A, B, C) on both services:
    ``[(label, agreed)]``."""
    results = []
    for label in labels:
        ours, theirs = label, label
        for name, our_id, their_id in zip("ABC", our_ids, their_ids):
            # Only metric names are upper case in the expressions.
            ours = re.sub(rf"\b{name}\b", our_id, ours)
            theirs = re.sub(rf"\b{name}\b", their_id, theirs)
        status, got = answer(ours_base, ours)
        their_status, want = answer(gnocchi_base, theirs)
        if got is not None and want is not None:
            # Series are keyed by metric id: Gnocchi's ids become ours.
            want = json.dumps(want)
            for their_id, our_id in zip(their_ids, our_ids):
                want = want.replace(their_id, our_id)
            agreed = agree(got, json.loads(want))
        else:
            agreed = status == their_status
        results.append((label, agreed, status, their_status))
    return results


def legacy_answer(base, query, ids):
    """``(status, triples or None)`` of /v1/aggregation over ``ids``."""
    try:
        return 200, Client(base).call(
            "POST", f"/v1/aggregation/metric?{query}", ids, expect=(200,))
    except RuntimeError as e:
        return int(str(e).split(": ")[1].split()[0]), None


def check_legacy(ours_base, our_ids, gnocchi_base, their_ids):
    """Each of :data:`AGGREGATION_QUERIES` on both services."""
    results = []
    for query in AGGREGATION_QUERIES:
        status, got = legacy_answer(ours_base, query, our_ids)
        their_status, want = legacy_answer(gnocchi_base, query, their_ids)
        agreed = agree(got, want) if got is not None and want is not None \
            else status == their_status
        results.append((query, agreed, status, their_status))
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gnocchi", default=os.environ.get(
        "GNOCCHI_BASE", "http://127.0.0.1:8041"))
    parser.add_argument("--metrics", type=int, default=100)
    parser.add_argument("--points", type=int, default=1440)
    parser.add_argument("--workers", type=int, default=3,
                        help="statsvc worker processes (Gnocchi's API has "
                             "floor(1.5 x cores))")
    parser.add_argument("--duration", type=int, default=15,
                        help="seconds of each timed run")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--api", choices=("aggregates", "aggregation"),
                        default="aggregates")
    parser.add_argument("--random", type=int, default=40,
                        help="random expressions to compare")
    args = parser.parse_args()
    if urllib.parse.urlparse(args.gnocchi).hostname not in ("127.0.0.1",
                                                            "localhost"):
        raise SystemExit("loopback only")
    print(f"{args.api}: (aggregate mean (metric ...)) over {args.metrics} "
          f"metrics x {args.points} points at 1 min; statsvc {args.workers} "
          f"workers, "
          f"Gnocchi at {args.gnocchi}; {args.duration} s per run", flush=True)
    theirs = populate(args.gnocchi, args.metrics, args.points, args.seed)
    with tempfile.TemporaryDirectory(dir=os.path.expanduser("~")) as tmp, \
            Server(os.path.join(tmp, "data"), workers=args.workers) as server:
        ours = populate(server.base, args.metrics, args.points, args.seed)
        figures = {}
        for clients in (1, 4):
            # In turns, so that both meet the same machine load.
            for name, base, ids in (("statsvc", server.base, ours),
                                    ("gnocchi", args.gnocchi, theirs)):
                if args.api == "aggregates":
                    path = "/v1/aggregates?granularity=60"
                    body = {"operations": operations(ids)}
                else:
                    path, body = "/v1/aggregation/metric?granularity=60", ids
                rps, median = load(base, path, body, clients, args.duration)
                figures[name, clients] = rps, median
                print(f"{name:8s} {clients} client(s): {rps:8.1f} req/s, "
                      f"median {median:8.1f} ms", flush=True)
        if args.api == "aggregates":
            rng = random.Random(args.seed)
            labels = expressions("A", "B", "C") + [
                random_expression(rng, ["A", "B", "C"])
                for _ in range(args.random)]
            agreement = check(server.base, ours[:3], args.gnocchi,
                              theirs[:3], labels)
        else:
            agreement = check_legacy(server.base, ours[:3], args.gnocchi,
                                     theirs[:3])
    print("\nratios statsvc / gnocchi (requests/s; higher is better):")
    for clients in (1, 4):
        ratio = figures["statsvc", clients][0] / figures["gnocchi",
                                                         clients][0]
        print(f"  {clients} client(s): {ratio:6.1f}x")
    print(f"\nagreement with Gnocchi to 1e-9 relative: "
          f"{sum(a for _, a, _, _ in agreement)} of {len(agreement)} "
          f"expressions (HTTP status statsvc/gnocchi)")
    for expression, agreed, status, their_status in agreement:
        print(f"  {'yes' if agreed else 'NO ':4s}{status}/{their_status} "
              f"{expression}")


if __name__ == "__main__":
    main()
