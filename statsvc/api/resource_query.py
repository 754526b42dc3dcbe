"""The query of a search or a bulk delete of resources: Gnocchi's JSON
form (the body) or its ``filter`` string (the query string);
:mod:`statsvc.search` has the language."""
from statsvc import resources, search
from statsvc.api.body import read_json
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


def query_predicate(request, resource_type, allow_empty=True):
    """A predicate over resources of ``resource_type`` for the request's
    query; a 400 naming where it is wrong, or for an empty query unless
    ``allow_empty``."""
    creator = request.user.name

    def map_id(value):
        return resources.resource_uuid(value, creator)

    query = _query(request)
    if query == {} and not allow_empty:
        raise ApiError(400, "caution: the query can not be empty, or it "
                            "will delete entire database")
    datetimes = [name for name, spec in resource_type["attributes"].items()
                 if spec["type"] == "datetime"]
    try:
        return search.compile_query(query, map_id, datetimes)
    except search.QueryError as e:
        raise invalid_input(str(e), e.path) from None
