"""Pecan hooks: per-request context, authentication and JSON errors."""
import logging
import time

from pecan import hooks
from webob import acceptparse

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


class AcceptHook(hooks.PecanHook):
    """406 when the client's ``Accept`` excludes JSON, as Gnocchi answers;
    pecan's own negotiation is off (:class:`statsvc.api.request.Request`)."""

    # The console's pages, styles and scripts are not JSON.
    EXEMPT = "/console"

    def on_route(self, state):
        environ = state.request.environ
        path = environ.get("PATH_INFO", "")
        if path == self.EXEMPT or path.startswith(self.EXEMPT + "/"):
            return
        header = environ.get("HTTP_ACCEPT")
        if header is not None and not acceptparse.create_accept_header(
                header).acceptable_offers(["application/json"]):
            raise errors.ApiError(406, f"Accept {header!r} excludes "
                                       f"application/json, the only type "
                                       f"served")


class AuthHook(hooks.PecanHook):
    """Sets ``request.user`` (a :class:`statsvc.api.auth.User`) before
    routing, so no controller runs for an unauthenticated caller.

    The version documents and the OpenAPI document are public, so that a
    client can discover the API before it has credentials; they set
    ``request.user`` to ``None``.
    """

    # After ContextHook (priority 100), before anything that reads the user.
    priority = 110
    PUBLIC_PATHS = frozenset({"/", "/v1", "/v1/", "/v1/openapi.json"})

    def __init__(self, authenticator):
        self.authenticator = authenticator

    def on_route(self, state):
        request = state.request
        request.user = None
        # PATH_INFO, not request.path: that raises on non-UTF-8 bytes, which
        # routing answers with a 400 after authentication.
        if request.environ.get("PATH_INFO") not in self.PUBLIC_PATHS:
            request.user = self.authenticator.authenticate(request)


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
        # The raw WSGI path (request.path raises on non-UTF-8 bytes),
        # escaped so that a hostile path cannot forge log lines.
        path = request.environ.get("PATH_INFO", "").encode(
            "latin-1", "replace").decode("utf-8", "backslashreplace")
        ACCESS_LOG.info("method=%s path=%s status=%s duration_ms=%.1f",
                        request.method, ascii(path)[1:-1],
                        state.response.status_int, millis)
