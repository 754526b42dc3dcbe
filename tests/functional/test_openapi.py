"""The OpenAPI document is served and describes exactly the routes served."""
import uuid

from pecan import rest

from statsvc.api.controllers.root import RootController
from statsvc.api.errors import ApiError
from statsvc.api.openapi.document import DOCUMENT

_REST_METHODS = {"get_all": "get", "get_one": "get", "post": "post",
                 "put": "put", "delete": "delete", "patch": "patch"}
_SAMPLE_ID = str(uuid.UUID(int=0))


def _walk(controller, prefix):
    """Yield ``(path, method)`` for every exposed handler under ``controller``."""
    # pecan's custom actions: <method>_<action> handles <method> <prefix>/<action>.
    actions = {f"{method.lower()}_{action}": (action, method.lower())
               for action, methods in getattr(
                   controller, "_custom_actions", {}).items()
               for method in methods}
    for name in dir(controller):
        if name.startswith("_") or isinstance(
                getattr(type(controller), name, None), property):
            continue  # properties resolve ids within a request: no routes
        attr = getattr(controller, name)
        exposed = getattr(attr, "_pecan", None)
        if callable(attr) and exposed is not None:
            if name in actions:
                action, method = actions[name]
                yield f"{prefix}/{action}", method
            elif name in _REST_METHODS and isinstance(controller,
                                                     rest.RestController):
                yield prefix or "/", _REST_METHODS[name]
            elif name == "index":
                yield prefix or "/", "get"
            else:
                yield f"{prefix}/{exposed.get('route') or name}", "get"
        elif not callable(attr) and type(attr).__module__.startswith(
                "statsvc.api.controllers"):
            yield from _walk(attr, f"{prefix}/{name}")
    if "_lookup" in dir(type(controller)):
        try:
            child, _ = controller._lookup(_SAMPLE_ID)
        except ApiError:
            return  # a _lookup that only refuses paths serves none

        parameter = getattr(child, "path_parameter", "metric_id")
        yield from _walk(child, prefix + "/{" + parameter + "}")


def test_document_is_served(app):
    assert app.get("/v1/openapi.json").json == DOCUMENT


def test_every_served_route_is_documented_and_vice_versa():
    served = set(_walk(RootController(), ""))
    documented = {(path, method) for path, item in DOCUMENT["paths"].items()
                  for method in item if method != "parameters"}
    assert served == documented


def test_undocumented_methods_on_documented_paths_are_405(app, metric):
    for path, item in DOCUMENT["paths"].items():
        if path in ("/", "/v1"):
            continue  # plain index pages, not REST resources
        url = path.replace("{metric_id}", metric).replace("{name}", "low")
        for method in {"put", "patch", "delete", "post"} - set(item):
            resp = getattr(app, method)(url, status="*")
            assert resp.status_int in (404, 405), (method, path)
            assert resp.json["code"] == resp.status_int
