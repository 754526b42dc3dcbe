"""Small helpers that build JSON responses without pecan's renderers."""
from urllib.parse import quote

import orjson
import webob


def json_response(body, status=200, encoded=False):
    """A response holding ``body`` as JSON (``encoded``: already bytes)."""
    return webob.Response(body=body if encoded else orjson.dumps(body),
                          status=status, content_type="application/json",
                          charset=None)


def empty_response(status):
    return webob.Response(status=status, content_type=None, charset=None)


def resource_url(request, *segments):
    """The absolute URL of ``/<segments>``, each percent-encoded as UTF-8.

    Header values must be latin-1 (PEP 3333): uwsgi drops the connection
    when one is not, and a raw ``é`` would reach clients as latin-1 anyway.
    So every URL put in a header (``Location``, ``Link``) is built here.
    """
    return "/".join([request.application_url,
                     *(quote(s, safe="") for s in segments)])
