"""The request class of the app."""
import pecan
from webob import acceptparse

# statsvc answers JSON whatever the client accepts, as Gnocchi does.
_ANY = acceptparse.create_accept_header("*/*")


class Request(pecan.Request):
    """A pecan request tuned for a JSON-only API.

    Pecan decodes a JSON body (twice, with the standard library) to offer it
    as keyword arguments, before any size check. statsvc's controllers read
    bodies themselves with limits and orjson (:mod:`statsvc.api.body`), so
    here the body is never offered: pecan then falls back to the query
    string alone.

    Pecan also negotiates the content type against each controller's
    declared one (``text/html`` unless told otherwise) and answers 406 to
    ``Accept: application/json``, which every Gnocchi client sends. Every
    response here is JSON, so negotiation is switched off.
    """

    @property
    def json(self):
        raise ValueError("request bodies are read by the controllers")

    @property
    def accept(self):
        return _ANY
