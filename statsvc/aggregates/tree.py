"""Validating an expression (nested lists, either form) into nodes.

Nodes are tuples whose first item is their kind:

- ``("number", float)``
- ``("metric", [(metric_ref, aggregation), ...])``
- ``("aggregate", method, child)``, ``("rolling", method, window, child)``,
  ``("resample", method, seconds, child)``
- ``("unary", op, child)``, ``("binary", op, left, right)``,
  ``("clip", child, low, high)`` (``high`` may be ``None``)
- ``("stat", name, {param: str}, child)``: a statistic plugin per series.

Errors carry Gnocchi's wording (``'rolling' operation invalid``) and the
path of indexes from the root to the offending node.
"""
import math

from statsvc import aggregation, archive_policy
from statsvc.aggregates import InvalidOperations, evaluate

#: Gnocchi's reductions across metrics or over windows, and their rate:.
REDUCTIONS = (*evaluate.REDUCE, *(f"rate:{m}" for m in evaluate.REDUCE))
#: What ``resample`` takes: a stored series' methods (no ``var``).
RESAMPLINGS = tuple(m for m in REDUCTIONS if aggregation.is_valid(m))
#: Operations of one operand; the last two change the times too.
UNARY = (*evaluate.UNARY_FUNCTIONS, "rateofchange", "rateofchangesec")
#: Operations of two operands.
BINARY = tuple(evaluate.BINARY_FUNCTIONS)
#: Every operation name, for ``/v1/capabilities``.
OPERATIONS = ("metric", "aggregate", "rolling", "resample", "clip", "stat",
              *UNARY, *BINARY)
_INVALID = "Invalid input"


def _invalid(message, path):
    where = "".join(f"[{i}]" for i in path)
    return InvalidOperations(
        _INVALID, f"{message} for dictionary value @ "
                  f"data['operations']{where}", list(path))


def _operation_invalid(name, path, why):
    error = _invalid(f"'{name}' operation invalid", path)
    error.detail["explanation"] = why
    return error


def validate(tree, max_depth, max_nodes):
    """The nodes of ``tree`` (lists, strings and numbers).

    :raises InvalidOperations: naming the offending node's path, also for a
        tree deeper than ``max_depth`` or larger than ``max_nodes``.
    """
    budget = [max_nodes]
    return _node(tree, (), max_depth, budget, top=True)


def _count(path, budget):
    budget[0] -= 1
    if budget[0] < 0:
        raise _invalid("Operations too large", path)


def _node(value, path, depth, budget, top=False):
    _count(path, budget)
    if not top and not isinstance(value, list):
        number = _number(value)
        if number is None:
            raise _invalid(f"expected an operation or a number, got "
                           f"{value!r}", path)
        return ("number", number)
    if not isinstance(value, list):
        raise _invalid(f"Expected a tuple/list, got a "
                       f"{type(value).__name__}", path)
    if not value:
        raise _invalid("Operation must not be empty", path)
    if len(path) >= depth:
        raise _invalid("Operations nested too deep", path)
    name = value[0]
    if not isinstance(name, str):
        raise _invalid(f"operation name must be a string, got {name!r}",
                       [*path, 0])
    if len(value) < 2:
        raise _invalid("Operation need at least one argument", path)
    if name == "metric":
        return _metric(value, path)
    handler = _HANDLERS.get(name)
    if handler is None:
        if name in UNARY:
            handler = _unary
        elif name in BINARY:
            handler = _binary
        else:
            raise _operation_invalid(name, path, "unknown operation")
    return handler(value, path, lambda i: _node(value[i], (*path, i), depth,
                                               budget))


def _number(value):
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _metric(value, path):
    args = value[1:]
    if all(isinstance(a, str) for a in args) and len(args) == 2:
        return ("metric", [tuple(args)])
    refs = []
    for i, ref in enumerate(args, 1):
        if not (isinstance(ref, list) and len(ref) == 2
                and all(isinstance(p, str) for p in ref)):
            raise _operation_invalid(
                "metric", [*path, i],
                "expected (metric ID aggregation) or (metric (ID "
                "aggregation) ...)")
        refs.append(tuple(ref))
    return ("metric", refs)


def _arity(value, path, name, count, why):
    if len(value) != count + 1:
        raise _operation_invalid(name, path, why)


def _reduction(value, path, name, allowed=REDUCTIONS):
    if value[1] not in allowed:
        raise _operation_invalid(name, [*path, 1],
                                 f"aggregation must be one of "
                                 f"{', '.join(allowed)}")
    return value[1]


def _aggregate(value, path, child):
    _arity(value, path, "aggregate", 2,
           "expected (aggregate METHOD OPERATION)")
    return ("aggregate", _reduction(value, path, "aggregate"), child(2))


def _rolling(value, path, child):
    _arity(value, path, "rolling", 3,
           "expected (rolling METHOD WINDOW OPERATION)")
    method = _reduction(value, path, "rolling")
    window = _number(value[2])
    if window is None or window < 1 or window != int(window) \
            or window > 2 ** 31:
        raise _operation_invalid("rolling", [*path, 2],
                                 "window must be an integer of at least 1")
    return ("rolling", method, int(window), child(3))


def _resample(value, path, child):
    _arity(value, path, "resample", 3,
           "expected (resample METHOD GRANULARITY OPERATION)")
    method = _reduction(value, path, "resample", RESAMPLINGS)
    try:
        seconds = archive_policy.parse_timespan(value[2])
    except archive_policy.PolicyError as e:
        raise _operation_invalid("resample", [*path, 2], str(e)) from None
    return ("resample", method, seconds, child(3))


def _unary(value, path, child):
    _arity(value, path, value[0], 1, f"expected ({value[0]} OPERATION)")
    return ("unary", value[0], child(1))


def _binary(value, path, child):
    _arity(value, path, value[0], 2,
           f"expected ({value[0]} OPERAND OPERAND)")
    return ("binary", value[0], child(1), child(2))


def _clip(value, path, child):
    if len(value) not in (3, 4):
        raise _operation_invalid("clip", path,
                                 "expected (clip OPERATION MIN [MAX])")
    return ("clip", child(1), child(2), child(3) if len(value) == 4 else None)


def _stat(value, path, child):
    """``(stat NAME OPERATION key=value ...)``; in JSON the parameters may
    also be one object."""
    if len(value) < 3 or not isinstance(value[1], str):
        raise _operation_invalid(
            "stat", path, "expected (stat NAME OPERATION key=value ...)")
    params = {}
    for i, item in enumerate(value[3:], 3):
        if isinstance(item, dict):
            pairs = item.items()
        elif isinstance(item, str) and "=" in item:
            pairs = [item.split("=", 1)]
        else:
            raise _operation_invalid("stat", [*path, i],
                                     "parameters are key=value")
        for key, raw in pairs:
            params[key] = _text(raw)
    return ("stat", value[1], params, child(2))


def _text(raw):
    """A parameter as a query string would carry it."""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    return raw if isinstance(raw, str) else str(raw)


_HANDLERS = {"aggregate": _aggregate, "rolling": _rolling,
             "resample": _resample, "clip": _clip, "stat": _stat}


def references(node):
    """The distinct ``(metric_ref, aggregation)`` of ``node``, in order."""
    found = []

    def walk(n):
        if n[0] == "metric":
            found.extend(r for r in n[1] if r not in found)
        else:
            for child in n[1:]:
                if isinstance(child, tuple):
                    walk(child)
    walk(node)
    return found


def statistics(node):
    """Every ``("stat", ...)`` node of ``node``."""
    if node[0] == "stat":
        return [node, *statistics(node[3])]
    return [s for child in node[1:] if isinstance(child, tuple)
            for s in statistics(child)]


def cost(node):
    """Work per value of the series read: one per operation, ``window``
    per rolling one."""
    if node[0] in ("number", "metric"):
        return 1
    own = node[2] if node[0] == "rolling" else 1
    return own + sum(cost(child) for child in node[1:]
                     if isinstance(child, tuple))
