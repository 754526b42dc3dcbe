"""The query of a search or a bulk delete of resources: Gnocchi's JSON
form (the body) or its ``filter`` string (the query string);
:mod:`statsvc.search` has the language."""
from statsvc import resources, search
from statsvc.api.body import read_json
from statsvc.api.errors import ApiError, invalid_input


def _query(request):
    """The ``filter`` string, else the JSON body (``{}`` without one)."""
    text = request.GET.get("filter")
    if text is not None:
        return text
    if not request.body:
        return {}
    return read_json(request, request.conf.getint("api", "max_body_size"))


def query_predicate(request, resource_type, allow_empty=True):
    """A predicate over resources of ``resource_type`` for the request's
    query; a 400 naming where it is wrong, or for an empty query unless
    ``allow_empty``."""
    query = _query(request)
    if query == {} and not allow_empty:
        raise ApiError(400, "caution: the query can not be empty, or it "
                            "will delete entire database")
    return predicate_for(request, resource_type, query, "filter")


def predicate_for(request, resource_type, query, where):
    """A predicate over resources of ``resource_type`` for ``query``, a
    JSON query or a filter string (the ``where`` parameter: a 400 naming
    it, or the place in the JSON query, when it is wrong)."""
    if isinstance(query, str):
        try:
            query = search.parse_filter(query)
        except search.QueryError as e:
            raise ApiError(400, str(e), parameter=where) from None
    creator = request.user.name

    def map_id(value):
        return resources.resource_uuid(value, creator)

    datetimes = [name for name, spec in resource_type["attributes"].items()
                 if spec["type"] == "datetime"]
    try:
        return search.compile_query(query, map_id, datetimes)
    except search.QueryError as e:
        raise invalid_input(str(e), e.path) from None
