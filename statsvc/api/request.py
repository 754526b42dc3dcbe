"""The request class of the app."""
import pecan


class Request(pecan.Request):
    """A pecan request whose JSON body only the controllers decode.

    Pecan decodes a JSON body (twice, with the standard library) to offer it
    as keyword arguments, before any size check. statsvc's controllers read
    bodies themselves with limits and orjson (:mod:`statsvc.api.body`), so
    here the body is never offered: pecan then falls back to the query
    string alone.
    """

    @property
    def json(self):
        raise ValueError("request bodies are read by the controllers")
