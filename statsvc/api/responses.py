"""Small helpers that build JSON responses without pecan's renderers."""
import orjson
import webob


def json_response(body, status=200, encoded=False):
    """A response holding ``body`` as JSON (``encoded``: already bytes)."""
    return webob.Response(body=body if encoded else orjson.dumps(body),
                          status=status, content_type="application/json",
                          charset=None)


def empty_response(status):
    return webob.Response(status=status, content_type=None, charset=None)
