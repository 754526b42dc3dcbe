"""Gnocchi's query on measure values (``POST /v1/search/metric``), vectorised.

A query is a JSON tree: ``{"and": [{">=": [{"+": 23}, 50]}, {"!=": 55}]}``
keeps the points whose value ``v`` has ``v + 23 >= 50`` and ``v != 55``.
A binary operator takes a number (applied as ``v <op> number``) or a pair
whose members are numbers or sub-queries of ``v``; ``and``/``or``/``not``
take a list of sub-queries. :func:`compile_query` checks the whole tree
once and returns a function of a ``float64`` array that answers every point
at once; a point is kept where the result is true (non-zero, as Gnocchi's
Python truth test keeps it).
"""
import operator

import numpy as np

_BINARY = {}
for _names, _function in (
        (("=", "==", "eq"), operator.eq), (("<", "lt"), operator.lt),
        ((">", "gt"), operator.gt), (("<=", "≤", "le"), operator.le),
        ((">=", "≥", "ge"), operator.ge), (("!=", "≠", "ne"), operator.ne),
        (("%", "mod"), np.mod), (("+", "add"), operator.add),
        (("-", "sub"), operator.sub), (("*", "×", "mul"), operator.mul),
        (("/", "÷", "div"), operator.truediv),
        (("**", "^", "pow"), np.power)):
    _BINARY.update(dict.fromkeys(_names, _function))
# Gnocchi's schema spells "and" as ∨ and "or" as ∧ too (and maps them the
# other way when it evaluates); both symbols are taken as logic says.
_MULTIPLE = {"and": np.logical_and.reduce, "∧": np.logical_and.reduce,
             "or": np.logical_or.reduce, "∨": np.logical_or.reduce}
#: Largest number of nodes in a query; bounds the work of one request.
MAX_NODES = 1000


class InvalidQuery(ValueError):
    """The query is not a valid tree; ``path`` lists the keys and indexes
    leading to the offending node."""

    def __init__(self, reason, path):
        where = "".join(f"[{p!r}]" for p in path)
        super().__init__(f"{reason} @ query{where}" if path else reason)
        self.reason = reason
        self.path = list(path)


def compile_query(tree):
    """Return ``keep(values) -> bool array`` for the query ``tree``.

    :raises InvalidQuery: naming the offending node.
    """
    if not isinstance(tree, dict):
        raise InvalidQuery("A query is an object with one operator", ())
    evaluate = _node(tree, (), [MAX_NODES])

    def keep(values):
        with np.errstate(all="ignore"):
            result = np.broadcast_to(evaluate(values), values.shape)
        # NaN is true for Python's bool(), which Gnocchi applies.
        return np.asarray(result, dtype=bool)
    return keep


def _node(tree, path, budget):
    budget[0] -= 1
    if budget[0] < 0:
        raise InvalidQuery(f"Query has more than {MAX_NODES} nodes", path)
    if isinstance(tree, bool) or tree is None:
        raise InvalidQuery(f"Expected a number or an operator, got "
                           f"{tree!r}", path)
    if isinstance(tree, (int, float)):
        # numpy scalars, so that 1/0 between constants is inf, not a raise.
        constant = np.float64(tree)
        return lambda values: constant
    if not isinstance(tree, dict) or len(tree) != 1:
        raise InvalidQuery("An operator is an object with exactly one key",
                           path)
    (name, operands), = tree.items()
    path = path + (name,)
    if name in _MULTIPLE or name == "not":
        return _logical(name, operands, path, budget)
    if name not in _BINARY:
        raise InvalidQuery(f"Unknown operator {name!r}", path[:-1])
    return _binary(_BINARY[name], operands, path, budget)


def _logical(name, operands, path, budget):
    if not isinstance(operands, list) or not operands:
        raise InvalidQuery(f"{name!r} takes a non-empty list of queries",
                           path)
    if name == "not" and len(operands) != 1:
        raise InvalidQuery("'not' takes a list of exactly one query", path)
    children = [_node(child, path + (i,), budget)
                for i, child in enumerate(operands)]
    if name == "not":
        child, = children
        return lambda values: np.logical_not(child(values))
    reduce = _MULTIPLE[name]
    return lambda values: reduce(np.broadcast_arrays(
        *[np.asarray(child(values), dtype=bool) for child in children]))


def _binary(function, operands, path, budget):
    if isinstance(operands, list):
        if len(operands) != 2:
            raise InvalidQuery(f"A binary operator takes 2 operands, "
                               f"{len(operands)} given", path)
        left, right = (_node(operand, path + (i,), budget)
                       for i, operand in enumerate(operands))
        # As floats: a comparison's booleans count as 1 and 0 in arithmetic,
        # as Python counts them for Gnocchi.
        return lambda values: function(np.asarray(left(values), np.float64),
                                       np.asarray(right(values), np.float64))
    if isinstance(operands, bool) or not isinstance(operands, (int, float)):
        raise InvalidQuery("A binary operator takes a number or a list of "
                           "2 operands", path)
    constant = np.float64(operands)
    return lambda values: function(values, constant)
