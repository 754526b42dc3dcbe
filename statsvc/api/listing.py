"""``GET /v1/metric``'s filters, sort and pages, as Gnocchi's indexer
applies them."""
import itertools
from urllib.parse import urlencode

from statsvc.api import access
from statsvc.api.errors import ApiError
from statsvc.storage.base import sort_documents

#: Query parameters that select metrics by equality.
FILTERS = ("id", "name", "unit", "archive_policy_name", "resource_id",
           "creator")
_PAGING = ("limit", "marker", "sort")
_DEFAULT_SORT = ["id:asc"]


def _sort_keys(sorts, allowed):
    keys = []
    for item in sorts:
        attribute, _, direction = item.partition(":")
        if attribute not in allowed:
            raise ApiError(400, f"Sort key supplied is invalid: {attribute}",
                           parameter="sort")
        order, _, nulls = direction.partition("-")
        if order not in ("", "asc", "desc") or \
                nulls not in ("", "nullsfirst", "nullslast"):
            raise ApiError(400, f"Invalid sort direction: {direction}",
                           parameter="sort")
        # Nulls come first ascending, last descending, unless told.
        nulls_last = nulls == "nullslast" or (order == "desc"
                                              and nulls != "nullsfirst")
        keys.append((attribute, order == "desc", nulls_last))
    if not any(key[0] == "id" for key in keys):
        keys.append(("id", False, False))  # a total order: stable markers
    return keys


def _limit(raw, max_limit):
    if raw is None:
        return max_limit
    try:
        limit = int(raw)
    except ValueError:
        limit = 0
    if limit < 1:
        raise ApiError(400, {"cause": "Argument value error",
                             "reason": "limit must be an integer of at "
                                       "least 1", "detail": "limit"},
                       parameter="limit")
    return min(limit, max_limit)


def list_metrics(request, max_limit):
    """``(metrics, next link or None)`` for the request's query string:
    filtered, sorted, after ``marker``, at most ``limit`` (capped at
    ``max_limit``); a full page links to the next as Gnocchi's ``Link``."""
    query = request.GET
    unknown = sorted(set(query) - set(FILTERS) - set(_PAGING))
    if unknown:
        raise ApiError(400, f"Unknown parameter(s) {', '.join(unknown)}; "
                            f"allowed: {', '.join(FILTERS + _PAGING)}")
    wanted = {k: query[k] for k in FILTERS if k in query}
    metrics = [m for m in access.list_metrics(request)
               if all(m.get(k) == v for k, v in wanted.items())]
    return paginate(request, metrics, FILTERS, _DEFAULT_SORT, max_limit,
                    wanted)


def sort_order(request, sortable, default_sort):
    """The request's ``sort`` (keys of ``sortable``; ``default_sort``
    unless given) as :func:`statsvc.storage.base.sort_documents` takes it,
    ending with ``id``: a total order, so that markers are stable."""
    return _sort_keys(request.GET.getall("sort") or default_sort, sortable)


def paginate(request, items, sortable, default_sort, max_limit, params,
             key=None):
    """``(page, next link or None)`` of ``items`` (dicts with an ``id``)
    for the query's ``sort`` (keys of ``sortable``), ``marker`` (an item's
    ``key``, its ``id`` by default) and ``limit`` (capped at
    ``max_limit``); the link repeats ``params``."""
    ordered = sort_documents(
        items, sort_order(request, sortable, default_sort))
    return page(request, ordered, default_sort, max_limit, params, key)


def page(request, ordered, default_sort, max_limit, params, key=None):
    """:func:`paginate` of ``ordered``, already sorted as
    :func:`sort_order` says: read only up to the end of the page (items
    may come from the store as they are read)."""
    key = key or (lambda item: item["id"])
    limit = _limit(request.GET.get("limit"), max_limit)
    ordered = iter(ordered)
    marker = request.GET.get("marker")
    if marker is not None and not any(key(m) == marker for m in ordered):
        raise ApiError(400, f"Invalid marker: `{marker}'",
                       parameter="marker")
    items = list(itertools.islice(ordered, limit))
    if len(items) < limit:
        return items, None
    sorts = request.GET.getall("sort") or default_sort
    params = dict(params, limit=limit, marker=key(items[-1]), sort=sorts)
    # Sorted, as Gnocchi orders them; urlencode percent-encodes every value.
    link = f"{request.path_url}?{urlencode(sorted(params.items()), True)}"
    return items, f'<{link}>; rel="next"'
