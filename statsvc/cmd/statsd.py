"""``statsvc-statsd``: a statsd daemon (UDP) feeding one statsvc resource,
with Gnocchi statsd's semantics (:mod:`statsvc.ingest.statsd`).

It is a client of the API: at start it creates its ``generic`` resource
(or finds it), and every flush interval it posts the interval's points to
``/v1/batch/resources/metrics/measures?create_metrics=true``, so new
metrics take their policy from the archive policy rules (or
``--archive-policy-name``). A flush that fails is logged and its points
dropped, as Gnocchi's daemon does; on SIGTERM or SIGINT the current
interval is flushed before exiting.
"""
import argparse
import asyncio
import base64
import json
import logging
import os
import signal
import time
import urllib.error
import urllib.request

from statsvc.ingest import statsd

LOG = logging.getLogger("statsvc.statsd")


class Api:
    """The few calls the daemon makes to statsvc."""

    def __init__(self, url, user, password):
        self.url = url.rstrip("/")
        credentials = f"{user}:{password}".encode()
        self.headers = {"Content-Type": "application/json",
                        "Authorization": "Basic " +
                        base64.b64encode(credentials).decode()}

    def post(self, path, body):
        request = urllib.request.Request(
            self.url + path, data=json.dumps(body).encode(),
            headers=self.headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as e:
            if e.code == 409:
                return e.code
            raise RuntimeError(f"{path}: {e.code} {e.read()[:300]!r}") \
                from None


def batch_body(resource_id, points, archive_policy_name):
    """The batch-by-resource body of one flush."""
    metrics = {}
    for name, (stamp, value) in points.items():
        measures = [{"timestamp": stamp / 1e9, "value": value}]
        metrics[name] = ({"archive_policy_name": archive_policy_name,
                          "measures": measures} if archive_policy_name
                         else measures)
    return {resource_id: metrics}


class Protocol(asyncio.DatagramProtocol):
    def __init__(self, aggregator):
        self.aggregator = aggregator

    def datagram_received(self, data, addr):
        now = time.time_ns()
        for message, parsed in statsd.parse(data):
            if isinstance(parsed, statsd.MessageError):
                LOG.warning("skipped %r from %s: %s", message, addr, parsed)
            else:
                self.aggregator.add(*parsed, now)


async def serve(args, api):
    """Listen and flush every ``args.flush_delay`` seconds until SIGTERM
    or SIGINT, then flush what the last interval holds and return."""
    aggregator = statsd.Aggregator()
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    transport, _ = await loop.create_datagram_endpoint(
        lambda: Protocol(aggregator), local_addr=(args.host, args.port))
    LOG.info("listening on %s:%d, flushing every %s s to %s", args.host,
             args.port, args.flush_delay, args.api_url)
    try:
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), args.flush_delay)
            except asyncio.TimeoutError:
                pass
            await flush(loop, args, api, aggregator.flush())
    finally:
        transport.close()


async def flush(loop, args, api, points):
    """Post one interval's points; a failure is logged, as in Gnocchi."""
    if not points:
        return
    body = batch_body(args.resource_id, points, args.archive_policy_name)
    try:
        await loop.run_in_executor(None, api.post, _BATCH, body)
    except (OSError, RuntimeError) as e:
        LOG.error("flush of %d points failed: %s", len(points), e)


_BATCH = "/v1/batch/resources/metrics/measures?create_metrics=true"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resource-id", required=True,
                        help="the generic resource the metrics belong to")
    parser.add_argument("--api-url", default="http://127.0.0.1:8041")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (loopback by default)")
    parser.add_argument("--port", type=int, default=8125)
    parser.add_argument("--flush-delay", type=float, default=10.0,
                        help="seconds between flushes (Gnocchi: 10)")
    parser.add_argument("--archive-policy-name",
                        help="policy of new metrics (default: the rules)")
    parser.add_argument("--user", default="admin",
                        help="API user (password: STATSVC_PASSWORD)")
    args = parser.parse_args(argv)
    if args.flush_delay <= 0:
        parser.error("--flush-delay must be positive")
    return args


def main(argv=None):
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(name)s %(levelname)s "
                               "%(message)s")
    api = Api(args.api_url, args.user, os.environ.get("STATSVC_PASSWORD", ""))
    try:
        api.post("/v1/resource/generic", {"id": args.resource_id})
    except (OSError, RuntimeError) as e:
        raise SystemExit(f"statsvc-statsd: cannot create resource "
                         f"{args.resource_id} at {args.api_url}: {e}")
    asyncio.run(serve(args, api))


if __name__ == "__main__":
    main()
