"""``GET /v1/capabilities``: what this server can compute."""
import pecan
from pecan import rest

from statsvc import aggregation
from statsvc.api.responses import json_response


class CapabilitiesController(rest.RestController):

    @pecan.expose()
    def get_all(self):
        registry = pecan.request.statistics
        return json_response({
            "statistics": registry.names(),
            "statistics_details": {name: registry[name].describe()
                                   for name in registry.names()},
            "aggregation_methods": [*aggregation.BASIC_METHODS, "pNN"],
            "storage": pecan.request.storage.name,
        })
