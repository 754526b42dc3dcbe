"""``/console``: the console's files, and the one fact the API lacks
(the service's version and uptime).

Routed under the app's hooks like any other path, so the console asks for
credentials exactly as the API does (a 401 with ``WWW-Authenticate``
brings up the browser's own prompt) and the browser, not the page, keeps
them.
"""
import importlib.metadata
import importlib.resources
import mimetypes
import time

import pecan
import webob

from statsvc.api.errors import ApiError
from statsvc.api.responses import json_response
from statsvc.storage import StorageUnavailable

try:  # The uwsgi master's start, shared by its workers.
    import uwsgi
    STARTED = float(uwsgi.started_on)
except (ImportError, AttributeError):
    STARTED = time.time()

_STATIC = importlib.resources.files(__package__) / "static"
_TYPES = {".js": "text/javascript", ".css": "text/css",
          ".html": "text/html", ".png": "image/png"}
# Scripts and styles from this origin only: an injected inline handler
# (``onerror=``) or ``<script>`` cannot run even if data reached the DOM.
_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; "
        "img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'")


def _file_response(name):
    """The response holding ``static/<name>``, or a 404."""
    if not name or name.startswith(".") or "/" in name or "\\" in name:
        raise ApiError(404, "Not found")
    resource = _STATIC / name
    if not resource.is_file():
        raise ApiError(404, "Not found")
    suffix = "." + name.rpartition(".")[2]
    content_type = _TYPES.get(suffix) or mimetypes.guess_type(name)[0] \
        or "application/octet-stream"
    response = webob.Response(body=resource.read_bytes(),
                              content_type=content_type, charset=None)
    if content_type.startswith("text/"):
        response.charset = "utf-8"
    response.headers["Content-Security-Policy"] = _CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    # The files change with the installed version; revalidate each time.
    response.cache_control = "no-cache"
    response.md5_etag()
    response.conditional_response = True
    return response


def service_info(request):
    """Version, uptime and storage reachability, for the service page."""
    storage = request.storage
    try:
        storage.check()
        reachable, error = True, None
    except StorageUnavailable as e:
        reachable, error = False, str(e)
    return {"version": importlib.metadata.version("statsvc"),
            "started": STARTED,
            "uptime": round(time.time() - STARTED, 3),
            "storage": {"driver": storage.name, "reachable": reachable,
                        "error": error}}


class ConsoleController:
    """``/console/``: the page; ``/console/<file>``: its static files;
    ``/console/service.json``: :func:`service_info`."""

    @pecan.expose()
    def index(self):
        request = pecan.request
        if not request.path_info.endswith("/"):
            # The page's relative links need the trailing slash.
            response = webob.Response(status=302, content_type=None,
                                      charset=None)
            response.location = request.path_url + "/"
            return response
        return _file_response("index.html")

    @pecan.expose()
    def _default(self, name, *remainder):
        if remainder:
            raise ApiError(404, "Not found")
        if name == "service.json":
            return json_response(service_info(pecan.request))
        return _file_response(name)
