"""The service's own metrics, for ``GET /metrics`` (Prometheus' text
format), with ``prometheus_client``.

Under uwsgi every worker records into ``$PROMETHEUS_MULTIPROC_DIR``
(``statsvc-api`` sets it to a fresh directory for each start), so a scrape
answered by any worker reports all of them; elsewhere (tests, another WSGI
server) the process's own registry is reported.
"""
import os
import time

import pecan
import prometheus_client
from pecan import hooks
from prometheus_client import multiprocess

from statsvc.api.errors import ApiError
from statsvc.storage import StorageError
from statsvc.storage import exceptions as storage

# Answers about what exists (404, 409), not failures of the store.
_NOT_FAILURES = (storage.MetricNotFound, storage.MetricAlreadyExists,
                 storage.DocumentNotFound, storage.DocumentAlreadyExists)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

REQUESTS = prometheus_client.Counter(
    "statsvc_requests", "HTTP requests by route and status",
    ["method", "route", "status"])
LATENCY = prometheus_client.Histogram(
    "statsvc_request_duration_seconds", "HTTP request latency by route",
    ["method", "route"],
    buckets=(.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))
POINTS = prometheus_client.Counter(
    "statsvc_points_ingested", "Points stored, by the route that wrote them",
    ["route"])
PLUGIN_FAILURES = prometheus_client.Counter(
    "statsvc_plugin_failures", "Statistic plugins that raised or returned "
    "an invalid result", ["statistic"])
STORAGE_ERRORS = prometheus_client.Counter(
    "statsvc_storage_errors", "Storage errors that failed a request",
    ["error"])


def route_of(state):
    """A low-cardinality name of the handler a request reached (no ids):
    ``MetricController.get_all``; ``unrouted`` when none matched."""
    controller = getattr(state, "controller", None)
    owner = getattr(controller, "__self__", None)
    if owner is None:
        return "unrouted"
    return f"{type(owner).__name__}.{controller.__name__}"


class CountingStorage:
    """The storage driver, counting the points it stores per route."""

    def __init__(self, driver):
        self._driver = driver

    def __getattr__(self, name):
        return getattr(self._driver, name)

    def add_measures(self, batch):
        self._driver.add_measures(batch)
        route = getattr(pecan.request, "telemetry_route", "unrouted")
        POINTS.labels(route).inc(sum(len(ts) for ts, _ in batch.values()))


class TelemetryHook(hooks.PecanHook):
    """Counts every request and its latency, and the storage errors and
    plugin failures that end one."""

    # After the access log, before ErrorHook turns errors into responses.
    priority = 900

    def before(self, state):
        state.request.telemetry_route = route_of(state)

    def on_error(self, state, exc):
        if isinstance(exc, StorageError) and \
                not isinstance(exc, _NOT_FAILURES):
            STORAGE_ERRORS.labels(type(exc).__name__).inc()
        elif isinstance(exc, ApiError) and exc.code == 500 and \
                "statistic" in exc.details:
            # statsvc.api.statistic_calls' error for a faulty plugin
            PLUGIN_FAILURES.labels(exc.details["statistic"]).inc()

    def after(self, state):
        request = state.request
        route = getattr(request, "telemetry_route", "unrouted")
        REQUESTS.labels(request.method, route,
                        str(state.response.status_int)).inc()
        started = getattr(request, "started", None)
        if started is not None:
            LATENCY.labels(request.method, route).observe(
                time.perf_counter() - started)


def exposition():
    """``(body, content type)`` of every worker's metrics."""
    if os.environ.get(MULTIPROC_ENV):
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = prometheus_client.REGISTRY
    return (prometheus_client.generate_latest(registry),
            prometheus_client.CONTENT_TYPE_LATEST)
