"""Pecan hooks: per-request context and JSON errors."""
import logging
import time

from pecan import hooks

from statsvc.api import errors

ACCESS_LOG = logging.getLogger("statsvc.access")


class ContextHook(hooks.PecanHook):
    """Gives each request the process-wide storage, statistics and config."""

    def __init__(self, conf, storage, statistics):
        self.conf = conf
        self.storage = storage
        self.statistics = statistics

    def on_route(self, state):
        request = state.request
        request.conf = self.conf
        request.storage = self.storage
        request.statistics = self.statistics
        request.started = time.perf_counter()


class ErrorHook(hooks.PecanHook):
    """Turns every exception, pecan's own 404/405 included, into JSON."""

    def on_error(self, state, exc):
        return errors.from_exception(exc)


class AccessLogHook(hooks.PecanHook):
    """One structured line per request: method, path, status, duration."""

    # Run last so the status of error responses is the final one.
    priority = 1000

    def after(self, state):
        request = state.request
        started = getattr(request, "started", None)
        millis = (time.perf_counter() - started) * 1000 if started else 0.0
        ACCESS_LOG.info("method=%s path=%s status=%s duration_ms=%.1f",
                        request.method, request.path, state.response.status_int,
                        millis)
