"""``POST /v1/search/resource/<type>``: resources selected by a query, in
Gnocchi's JSON form (the body) or its ``filter`` string (the query
string); :mod:`statsvc.search` has the language."""
import pecan
from pecan import rest

from statsvc import resources, search
from statsvc.api.body import read_json
from statsvc.api.controllers.resource import list_resources
from statsvc.api.controllers.resource_type import get_type
from statsvc.api.errors import ApiError, invalid_input


def _query(request):
    text = request.GET.get("filter")
    if text is not None:
        try:
            return search.parse_filter(text)
        except search.QueryError as e:
            raise ApiError(400, str(e), parameter="filter") from None
    if not request.body:
        return {}
    return read_json(request, request.conf.getint("api", "max_body_size"))


class ResourceSearchController(rest.RestController):
    """``/v1/search/resource/<type>``."""

    path_parameter = "resource_type"

    def __init__(self, type_name):
        self.type_name = type_name

    @pecan.expose()
    def post(self):
        request = pecan.request
        rtype = get_type(request.storage, self.type_name)
        creator = request.user.name

        def map_id(value):
            return resources.resource_uuid(value, creator)

        datetimes = [name for name, spec in rtype["attributes"].items()
                     if spec["type"] == "datetime"]
        try:
            predicate = search.compile_query(_query(request), map_id,
                                             datetimes)
        except search.QueryError as e:
            raise invalid_input(str(e), e.path) from None
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
