"""The vectorised measure query against a per-value reference written as
Gnocchi evaluates it (one Python value at a time)."""
import math
import operator

import numpy as np
import pytest
from hypothesis import given, strategies as st

from statsvc.measure_query import MAX_NODES, InvalidQuery, compile_query

_REFERENCE = {"=": operator.eq, "<": operator.lt, ">": operator.gt,
              "<=": operator.le, ">=": operator.ge, "!=": operator.ne,
              "+": operator.add, "-": operator.sub, "*": operator.mul,
              "/": operator.truediv, "%": operator.mod}


def reference(tree, value):
    """Gnocchi's MeasureQuery, with 'not' added and division by zero
    giving what IEEE 754 gives."""
    if isinstance(tree, (int, float)):
        return tree
    (name, operands), = tree.items()
    if name in ("and", "or", "not"):
        results = [bool(reference(child, value)) for child in operands]
        return {"and": all, "or": any}[name](results) if name != "not" \
            else not results[0]
    left, right = ((reference(operands[0], value),
                    reference(operands[1], value))
                   if isinstance(operands, list) else (value, operands))
    try:
        return _REFERENCE[name](left, right)
    except ZeroDivisionError:
        if name == "%":
            return math.nan
        return math.copysign(math.inf, left) * math.copysign(1, right) \
            if left else math.nan


numbers = st.integers(-5, 5) | st.sampled_from([0.5, -2.5])
comparisons = st.builds(lambda op, n: {op: n},
                        st.sampled_from(["=", "<", ">", "<=", ">=", "!="]),
                        numbers)


def _extend(children):
    arithmetic = st.builds(lambda op, a, b: {op: [a, b]},
                           st.sampled_from(["+", "-", "*", "/", "%"]),
                           children | numbers, children | numbers)
    logic = st.builds(lambda op, items: {op: items},
                      st.sampled_from(["and", "or"]),
                      st.lists(children, min_size=1, max_size=3))
    return arithmetic | logic | st.builds(lambda c: {"not": [c]}, children)


queries = st.recursive(comparisons, _extend, max_leaves=8)


@given(queries, st.lists(numbers, min_size=1, max_size=20))
def test_agrees_with_the_per_value_reference(tree, values):
    got = compile_query(tree)(np.array(values, dtype=float))
    want = [bool(reference(tree, float(v))) for v in values]
    assert got.tolist() == want


@pytest.mark.parametrize("tree", [[], {"and": []}, {"x": 1}, {"=": None},
                                  {"=": True}, {"not": {"=": 1}}])
def test_malformed_trees_raise_invalid_query(tree):
    with pytest.raises(InvalidQuery):
        compile_query(tree)


def test_size_is_bounded():
    tree = {"and": [{"=": i} for i in range(MAX_NODES)]}
    with pytest.raises(InvalidQuery, match="more than"):
        compile_query(tree)
