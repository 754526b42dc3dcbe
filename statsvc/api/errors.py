"""JSON error responses: every 4xx/5xx is ``{"code", "title", "description"}``.

As in Gnocchi, ``description`` is a string, or an object with ``cause``
and ``detail`` (and ``reason``) where a client may act on the parts.
"""
import logging

import orjson
import webob
import webob.exc

from statsvc.storage import StorageError
from statsvc.storage import exceptions as storage

LOG = logging.getLogger(__name__)


class ApiError(Exception):
    """An error the client can act on; raised anywhere in a request.

    Subclasses may set ``headers`` to add to the response (e.g.
    ``WWW-Authenticate``).
    """

    headers = {}

    def __init__(self, code, description, **details):
        super().__init__(description)
        self.code = code
        self.description = description
        self.details = details


def invalid_input(reason, path):
    """Gnocchi's 400 for a body that fails validation, in voluptuous' shape:
    ``reason`` says what, ``detail`` (keys and indexes) where."""
    where = "".join(f"[{p!r}]" for p in path)
    return ApiError(400, {"cause": "Invalid input",
                          "reason": f"{reason} @ data{where}" if path
                          else reason,
                          "detail": [str(p) for p in path]})


def json_error(code, description, **details):
    """Build the JSON error response for HTTP status ``code``."""
    title = webob.exc.status_map[code].title if code in webob.exc.status_map \
        else "Error"
    body = {"code": code, "title": title, "description": description}
    body.update(details)
    return webob.Response(body=orjson.dumps(body), status=code,
                          content_type="application/json", charset=None)


def _storage_error(exc):
    """The JSON error for ``exc``, a :class:`~statsvc.storage.StorageError`."""
    if isinstance(exc, storage.MetricNotFound):
        return json_error(404, f"Metric {exc.metric_id} does not exist")
    if isinstance(exc, storage.MetricAlreadyExists):
        return json_error(409, f"Metric {exc.metric_id} already exists")
    if isinstance(exc, (storage.DocumentNotFound,
                        storage.DocumentAlreadyExists)):
        # Controllers turn these into their own errors; this is the net for
        # the others: "archive_policy" reads "Archive policy".
        kind = exc.kind.replace("_", " ").capitalize()
        if isinstance(exc, storage.DocumentNotFound):
            return json_error(404, f"{kind} {exc.name} does not exist")
        return json_error(409, f"{kind} {exc.name} already exists")
    if isinstance(exc, storage.StorageUnavailable):
        LOG.error("storage unavailable: %s", exc)
        return json_error(503, f"Storage is unavailable: {exc}")
    # UnknownDriver (a start-up error) or a driver's own StorageError: the
    # server's fault, whose details are for the log, not the client.
    LOG.error("storage error: %s: %s", type(exc).__name__, exc)
    return json_error(500, "Storage error; the server log has the details")


def from_exception(exc):
    """Map any exception raised during a request to a JSON error response."""
    if isinstance(exc, ApiError):
        response = json_error(exc.code, exc.description, **exc.details)
        response.headers.update(exc.headers)
        return response
    if isinstance(exc, StorageError):
        return _storage_error(exc)
    if isinstance(exc, webob.exc.HTTPException):
        description = {
            404: "The resource could not be found: check the URL",
            405: "The method is not allowed for this resource",
        }.get(exc.code, exc.explanation or exc.title)
        response = json_error(exc.code, description)
        if exc.code == 405 and "Allow" in exc.headers:
            response.headers["Allow"] = exc.headers["Allow"]
        return response
    LOG.exception("unexpected error")
    return json_error(500, "Internal error; the server log has the details")
