"""``POST /v1/search/resource/<type>``: resources selected by a query
(:mod:`statsvc.api.resources.query`); ``/v1/search/metric`` lives in
:mod:`.metric_search`."""
import pecan
from pecan import rest

from statsvc.api.controllers.metric_search import MetricSearchController
from statsvc.api.controllers.resource import list_resources
from statsvc.api.controllers.resource_type import get_type
from statsvc.api.resources.query import query_predicate


class ResourceSearchController(rest.RestController):
    """``/v1/search/resource/<type>``."""

    path_parameter = "resource_type"

    def __init__(self, type_name):
        self.type_name = type_name

    @pecan.expose()
    def post(self):
        request = pecan.request
        predicate = query_predicate(
            request, get_type(request.storage, self.type_name))
        return list_resources(request, self.type_name, predicate, allowed=(
            "limit", "marker", "sort", "attrs", "filter", "history",
            "details"))


class ResourceTypesSearchController(rest.RestController):
    """``/v1/search/resource``."""

    @pecan.expose()
    def _lookup(self, type_name, *remainder):
        return ResourceSearchController(type_name), remainder


class SearchController:
    """``/v1/search``."""

    resource = ResourceTypesSearchController()
    metric = MetricSearchController()
