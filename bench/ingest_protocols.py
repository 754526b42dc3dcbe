"""Points per second through each ingest endpoint, side by side, one run.

Starts ``statsvc-api`` (real uwsgi, embedded storage) on a free loopback
port and writes the same points (``--hosts`` resources x ``--fields``
metrics, ``--per-request`` points a request) through:

  json      POST /v1/batch/resources/metrics/measures (the JSON baseline)
  influxdb  POST /v1/influxdb/write (line protocol, precision s)
  prom      POST /v1/prometheus/write (snappy WriteRequest)

One untimed write per endpoint first creates its resources and metrics;
then ``--requests`` requests from one keep-alive client are timed, ``--runs``
times each, fresh timestamps every time. statsvc answers once the points
are stored, so the time to the last answer is the time until queryable
(checked by counting one metric's points). The client's own encoding is
done before the clock starts.

With ``--gnocchi URL`` (``../shared/peers/gnocchi/up.sh``), the same lines
go to Gnocchi 4.7.1's /v1/influxdb/write too, timed until metricd has
processed every point (``/v1/status`` backlog 0): Gnocchi stores on
acknowledgement only into its incoming queue.

Prints medians of points/s and the ratios.
Usage: python bench/ingest_protocols.py [--gnocchi http://127.0.0.1:8041]
"""
import os
import sys

sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

import argparse  # noqa: E402
import base64  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.parse  # noqa: E402

import cramjam  # noqa: E402

from statsvc.ingest import remote_write_pb2  # noqa: E402
from tests.integration.server import Server  # noqa: E402

START = 1_600_000_000
AUTH = "Basic " + base64.b64encode(b"admin:").decode()
# Every metric of both services keeps 1 s points for the whole run.
POLICY = {"name": "bench-ingest", "back_window": 0,
          "aggregation_methods": ["mean"],
          "definition": [{"granularity": "1s", "points": 1_000_000}]}
RULE = {"name": "bench-ingest", "metric_pattern": "*",
        "archive_policy_name": POLICY["name"]}


class Client:
    """One keep-alive HTTP connection."""

    def __init__(self, base):
        url = urllib.parse.urlparse(base)
        self.conn = http.client.HTTPConnection(url.hostname, url.port,
                                               timeout=300)

    def call(self, method, path, body=None, headers=None,
             expect=(200, 201, 202, 204)):
        sent = {"Authorization": AUTH, **(headers or {})}
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=sent)
                resp = self.conn.getresponse()
                data = resp.read()
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()  # Gnocchi's router may close keep-alive
                if attempt:
                    raise
        if resp.status not in expect:
            raise RuntimeError(f"{method} {path}: {resp.status} {data[:300]}")
        return json.loads(data) if data else None

    def json(self, method, path, body, expect=(200, 201, 202, 204)):
        return self.call(method, path, json.dumps(body),
                         {"Content-Type": "application/json"}, expect)


def points(args, request, host):
    """The ``(timestamp, field, value)`` of one host in request
    ``request`` (distinct timestamps for every request of a run)."""
    per_host = args.per_request // (args.hosts * args.fields)
    first = START + request * per_host
    return [(first + t, f, float((t * 7 + f) % 101))
            for t in range(per_host) for f in range(args.fields)]


def json_body(args, request):
    return json.dumps({f"json-h{h}": _json_measures(args, request, h)
                       for h in range(args.hosts)}).encode()


def _json_measures(args, request, host):
    out = {}
    for stamp, f, value in points(args, request, host):
        out.setdefault(f"cpu.f{f}", []).append(
            {"timestamp": stamp, "value": value})
    return out


def line_body(args, request):
    lines = []
    for h in range(args.hosts):
        by_time = {}
        for stamp, f, value in points(args, request, h):
            by_time.setdefault(stamp, []).append(f"f{f}={value}")
        lines += [f"cpu,host=influx-h{h} {','.join(fields)} {stamp}"
                  for stamp, fields in by_time.items()]
    return "\n".join(lines).encode()


def prometheus_body(args, request):
    write = remote_write_pb2.WriteRequest()
    for h in range(args.hosts):
        series = {}
        for stamp, f, value in points(args, request, h):
            if f not in series:
                series[f] = write.timeseries.add()
                for name, label in (("__name__", f"cpu_f{f}"),
                                    ("job", "prom"),
                                    ("instance", f"h{h}")):
                    series[f].labels.add(name=name, value=label)
            series[f].samples.add(timestamp=stamp * 1000, value=value)
    return bytes(cramjam.snappy.compress_raw(write.SerializeToString()))


ENDPOINTS = {
    "json": ("/v1/batch/resources/metrics/measures?create_metrics=true",
             json_body, {"Content-Type": "application/json"}),
    "influxdb": ("/v1/influxdb/write?db=bench&precision=s", line_body,
                 {"Content-Type": "text/plain"}),
    "prom": ("/v1/prometheus/write", prometheus_body,
             {"Content-Type": "application/x-protobuf",
              "Content-Encoding": "snappy"}),
}


def prepare(base, args):
    client = Client(base)
    client.json("POST", "/v1/archive_policy", POLICY, expect=(201, 409))
    client.json("POST", "/v1/archive_policy_rule", RULE, expect=(201, 409))
    client.call("POST", "/v1/influxdb/query?q=CREATE+DATABASE+bench")


def timed_writes(base, name, args, run, wait=None):
    """Seconds from the first request to the last answer (and to ``wait``
    returning, if given) for ``args.requests`` requests."""
    path, encode, headers = ENDPOINTS[name]
    first = (run + 1) * args.requests
    bodies = [encode(args, first + i) for i in range(args.requests)]
    client = Client(base)
    began = time.perf_counter()
    for body in bodies:
        client.call("POST", path, body, headers)
    if wait is not None:
        wait()
    return time.perf_counter() - began


def statsvc_count(base, args, runs):
    """Points of one influxdb metric: all of them, once acknowledged."""
    rows = Client(base).call(
        "GET", "/v1/resource/bench/influx-h0/metric/cpu.f0/measures")
    per_host = args.per_request // (args.hosts * args.fields)
    expected = (runs + 1) * args.requests * per_host  # with the untimed
    return len(rows), expected


def gnocchi_backlog_empty(base):
    client = Client(base)

    def wait():
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            summary = client.call("GET", "/v1/status?details=false")[
                "storage"]["summary"]
            if summary["measures"] == 0:
                return
            time.sleep(0.05)
        raise RuntimeError("Gnocchi's backlog did not empty in 600 s")
    return wait


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--fields", type=int, default=5)
    parser.add_argument("--per-request", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--gnocchi", help="a Gnocchi 4.7.1 base URL")
    args = parser.parse_args()
    total = args.requests * args.per_request
    print(f"{args.runs} runs of {args.requests} requests of "
          f"{args.per_request:,} points ({args.hosts} resources x "
          f"{args.fields} metrics); statsvc {args.workers} workers")
    rates = {}
    with tempfile.TemporaryDirectory(dir=os.path.expanduser("~")) as tmp, \
            Server(os.path.join(tmp, "data"), workers=args.workers) as server:
        prepare(server.base, args)
        client = Client(server.base)
        for h in range(args.hosts):
            client.json("POST", "/v1/resource/generic", {"id": f"json-h{h}"})
        for name in ENDPOINTS:
            timed_writes(server.base, name, args, -1)  # creates metrics
        for run in range(args.runs):
            for name in ENDPOINTS:
                seconds = timed_writes(server.base, name, args, run)
                rates.setdefault(f"statsvc {name}", []).append(
                    total / seconds)
        stored, expected = statsvc_count(server.base, args, args.runs)
        print(f"statsvc: a metric holds {stored:,} of {expected:,} points "
              f"right after the last answer")
    if args.gnocchi:
        prepare(args.gnocchi, args)
        timed_writes(args.gnocchi, "influxdb", args, -1,
                     gnocchi_backlog_empty(args.gnocchi))
        for run in range(args.runs):
            seconds = timed_writes(args.gnocchi, "influxdb", args, run,
                                   gnocchi_backlog_empty(args.gnocchi))
            rates.setdefault("gnocchi influxdb", []).append(total / seconds)
    medians = {name: statistics.median(r) for name, r in rates.items()}
    print(f"\n{'endpoint':22s} {'points/s (median)':>18s}  runs")
    for name, rate in medians.items():
        runs = ", ".join(f"{r:,.0f}" for r in rates[name])
        print(f"{name:22s} {rate:18,.0f}  {runs}")
    baseline = medians["statsvc json"]
    print("\nratios against statsvc's JSON batch:")
    for name in ("statsvc influxdb", "statsvc prom"):
        print(f"  {name:20s} {medians[name] / baseline:5.2f}x")
    if "gnocchi influxdb" in medians:
        print(f"  statsvc influxdb / gnocchi influxdb (until queryable): "
              f"{medians['statsvc influxdb'] / medians['gnocchi influxdb']:.1f}x")


if __name__ == "__main__":
    main()
