"""``POST /v1/aggregates``: its query string and body, validated into what
:mod:`statsvc.aggregates` computes, with Gnocchi's 400s."""
import math

from statsvc import archive_policy
from statsvc.aggregates import InvalidOperations, grid, parser, tree
from statsvc.api import timestamps
from statsvc.api.errors import ApiError, invalid_input

_BOOLEANS = {"true": True, "yes": True, "on": True, "y": True, "1": True,
             "false": False, "no": False, "off": False, "n": False,
             "0": False}
#: The most ``[api] max_operations_depth`` may raise the depth to.
MAX_DEPTH = 200
_FILL_REASON = ("Must be a float, 'dropna', 'null', 'ffill', 'bfill', "
                "'full_ffill' or 'full_bfill'")


def _argument_error(name, reason):
    return ApiError(400, {"cause": "Argument value error", "reason": reason,
                          "detail": name}, parameter=name)


def _timestamp(query, name):
    if query.get(name) is None:
        return None
    try:
        return timestamps.parse(query[name], name)
    except ApiError:
        raise _argument_error(name, "Must be a datetime or a timestamp") \
            from None


def _boolean(query, name):
    raw = query.get(name, "false").lower()
    if raw not in _BOOLEANS:
        raise _argument_error(name, "Must be a boolean")
    return _BOOLEANS[raw]


def parse_query(query):
    """``{start, stop, granularity, needed_overlap, fill, details,
    groupby, use_history}`` from the query string, as Gnocchi reads them: without
    ``fill`` and ``needed_overlap``, ``fill`` is ``dropna``; ``fill=null``
    keeps the gaps; a fill is a word of :data:`grid.FILL_WORDS` or a
    number."""
    start, stop = _timestamp(query, "start"), _timestamp(query, "stop")
    granularity = query.get("granularity")
    if granularity is not None:
        try:
            granularity = archive_policy.parse_timespan(granularity)
        except archive_policy.PolicyError as e:
            raise _argument_error("granularity", str(e).split(" '")[0]) \
                from None
    overlap = query.get("needed_overlap")
    if overlap is not None:
        try:
            overlap = float(overlap)
        except ValueError:
            raise _argument_error("needed_overlap", "Must be a number") \
                from None
        if not math.isfinite(overlap):
            raise _argument_error("needed_overlap", "Must be a number")
    fill = query.get("fill")
    if fill is None and overlap is None:
        fill = "dropna"
    elif fill is not None and fill not in grid.FILL_WORDS:
        try:
            fill = float(fill)
        except ValueError:
            raise _argument_error("fill", _FILL_REASON) from None
        if not math.isfinite(fill):
            raise _argument_error("fill", _FILL_REASON)
    return {"start": start, "stop": stop, "granularity": granularity,
            "needed_overlap": 100.0 if overlap is None else overlap,
            "fill": fill, "details": _boolean(query, "details"),
            "groupby": sorted(set(query.getall("groupby"))),
            "use_history": _boolean(query, "use_history")}


def invalid_operations(error):
    """The 400 for an :class:`InvalidOperations`: Gnocchi's ``cause``,
    ``reason`` and ``detail``, and where: ``path`` (indexes from the root
    of the expression) or ``offset`` (in the string)."""
    description = {"cause": error.cause, "reason": error.reason}
    if error.cause == "Invalid input":
        description["detail"] = ["operations"]
    elif "keys" in error.detail:
        description["detail"] = [list(k) for k in error.detail["keys"]]
    extra = {k: v for k, v in error.detail.items() if k != "keys"}
    if error.path is not None:
        extra["path"] = error.path
    description.update(extra)
    return ApiError(400, description)


def parse_body(body, conf):
    """``(node, body)`` of a body ``{"operations": ..., ["resource_type",
    "search"]}``; the operations as a string or as nested lists."""
    if not isinstance(body, dict):
        raise invalid_input("expected a dictionary", [])
    extra = sorted(set(body) - {"operations", "resource_type", "search"})
    if extra:
        raise invalid_input("extra keys not allowed", [extra[0]])
    if "operations" not in body:
        raise invalid_input("required key not provided", ["operations"])
    # Validation recurses once per level: past a few hundred, Python's
    # recursion limit would turn a deep expression into a 500.
    depth = min(conf.getint("api", "max_operations_depth"), MAX_DEPTH)
    size = conf.getint("api", "max_operations_nodes")
    operations = body["operations"]
    try:
        if isinstance(operations, str):
            operations = parser.parse(operations, depth, size)
        node = tree.validate(operations, depth, size)
    except InvalidOperations as e:
        raise invalid_operations(e) from None
    if not tree.references(node):
        raise ApiError(400, {"cause": "Operations is invalid",
                             "reason": "At least one 'metric' is required",
                             "detail": body["operations"]})
    return node, body
