"""``GET /v1/status``: Gnocchi's backlog report, storage reachability and
plugin health; admins only, as in Gnocchi."""
import pecan
from pecan import rest

from statsvc.api import policies
from statsvc.api.errors import ApiError
from statsvc.api.responses import json_response
from statsvc.storage import StorageUnavailable

# Gnocchi's strtobool spellings of ``details``.
_TRUE = {"true", "yes", "on", "y", "1"}
_FALSE = {"false", "no", "off", "n", "0"}


def _details(query):
    value = query.get("details", "true").lower()
    if value not in _TRUE | _FALSE:
        raise ApiError(400, f"Unable to parse `details': invalid truth "
                            f"value {value!r}", parameter="details")
    return value in _TRUE


class StatusController(rest.RestController):

    @pecan.expose()
    def get_all(self):
        request = pecan.request
        policies.require_admin(request)
        storage = request.storage
        try:
            storage.check()
            backend = {"driver": storage.name, "reachable": True}
        except StorageUnavailable as e:
            backend = {"driver": storage.name, "reachable": False,
                       "error": str(e)}
        # Gnocchi's backlog of measures not yet aggregated, and its metricd
        # processors: statsvc has neither, a measure is queryable once
        # acknowledged.
        report = {"summary": {"measures": 0, "metrics": 0}}
        if _details(request.GET):
            report["measures_to_process"] = {}
        registry = request.statistics
        return json_response({
            "storage": report,
            "metricd": {"processors": None, "statistics": {}},
            "backend": backend,
            "statistics": {"loaded": registry.names(),
                           "failed": registry.failed,
                           # Installed without their extras: never loaded.
                           "unavailable": registry.unavailable,
                           # Turned off by [statistics] enabled/disabled.
                           "disabled": registry.disabled,
                           # Counted by the worker process that answers.
                           "runtime_errors": registry.runtime_errors},
        }, status=200 if backend["reachable"] else 503)
