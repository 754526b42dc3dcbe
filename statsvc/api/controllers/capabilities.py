"""``GET /v1/capabilities``: what this server can compute."""
import pecan
from pecan import rest

from statsvc import archive_policy
from statsvc.aggregates import tree
from statsvc.api.responses import json_response


class CapabilitiesController(rest.RestController):

    @pecan.expose()
    def get_all(self):
        registry = pecan.request.statistics
        return json_response({
            "statistics": registry.names(),
            "statistics_details": {name: registry[name].describe()
                                   for name in registry.names()},
            # Gnocchi's key and names: what a policy may keep.
            "aggregation_methods": sorted(
                archive_policy.VALID_AGGREGATION_METHODS),
            # POST /v1/aggregates: operations, the methods of aggregate,
            # rolling and resample, and the statistics of stat.
            "aggregates": {"operations": list(tree.OPERATIONS),
                           "reductions": list(tree.REDUCTIONS),
                           "statistics": registry.names()},
            "storage": pecan.request.storage.name,
        })
