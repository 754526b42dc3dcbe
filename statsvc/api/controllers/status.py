"""``GET /v1/status``: storage reachability and plugin health."""
import pecan
from pecan import rest

from statsvc.api.responses import json_response
from statsvc.storage import StorageUnavailable


class StatusController(rest.RestController):

    @pecan.expose()
    def get_all(self):
        storage = pecan.request.storage
        try:
            storage.check()
            store = {"driver": storage.name, "reachable": True}
        except StorageUnavailable as e:
            store = {"driver": storage.name, "reachable": False,
                     "error": str(e)}
        # Gnocchi's backlog of measures not yet aggregated: statsvc has
        # none, a measure is queryable once acknowledged.
        store["summary"] = {"measures": 0, "metrics": 0}
        registry = pecan.request.statistics
        return json_response({
            "storage": store,
            "statistics": {"loaded": registry.names(),
                           "failed": registry.failed,
                           # Turned off by [statistics] enabled/disabled.
                           "disabled": registry.disabled,
                           # Counted by the worker process that answers.
                           "runtime_errors": registry.runtime_errors},
        }, status=200 if store["reachable"] else 503)
