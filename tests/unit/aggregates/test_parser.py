"""The operations language's string parser and tree validator, by example
and by fuzzing: any input is nodes or an InvalidOperations, never another
exception, and nothing can nest or grow past the bounds."""
import time

import pytest
from hypothesis import given, strategies as st

from statsvc.aggregates import InvalidOperations, parser, tree

DEPTH, SIZE = 32, 10000
ATOM = st.text(st.characters(blacklist_characters="()",
                             blacklist_categories=("Zs", "Cc", "Zl", "Zp")),
               min_size=1, max_size=8)
TREES = st.recursive(st.lists(ATOM, max_size=4),
                     lambda children: st.lists(children | ATOM, min_size=1,
                                               max_size=4),
                     max_leaves=30)


def render(node):
    if isinstance(node, list):
        return "(" + " ".join(render(n) for n in node) + ")"
    return node


def _depth(node):
    return 1 + max((_depth(n) for n in node if isinstance(n, list)),
                   default=0)


@given(TREES)
def test_string_form_round_trips(node):
    assert parser.parse(render(node), DEPTH, SIZE) == node


@given(st.text(alphabet="() \tab1.-+=\n", max_size=200) | st.text())
def test_any_text_parses_or_is_refused(text):
    try:
        result = parser.parse(text, DEPTH, SIZE)
    except InvalidOperations as e:
        assert e.cause == "Invalid operations"
        assert 0 <= e.detail["offset"] <= len(text)
    else:
        assert isinstance(result, list)
        assert _depth(result) <= DEPTH


JSON = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(
        max_size=10) | st.sampled_from(list(tree.OPERATIONS)
                                       + list(tree.REDUCTIONS)),
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=40)


@given(JSON)
def test_any_json_validates_or_is_refused_with_a_path(value):
    try:
        node = tree.validate(value, DEPTH, SIZE)
    except InvalidOperations as e:
        assert e.cause == "Invalid input"
        assert "for dictionary value @ data['operations']" in e.reason
        # The path leads to a node of the input.
        here = value
        for index in e.path:
            assert isinstance(here, list) and index < len(here)
            here = here[index]
    else:
        assert isinstance(node, tuple)


@pytest.mark.parametrize("text", ["(" * 200000, "(a " * 200000,
                                  "(" * 31 + ")" * 31 + ")" * 100000])
def test_deep_or_huge_strings_are_refused_quickly(text):
    started = time.monotonic()
    try:
        parser.parse(text, DEPTH, SIZE)
    except InvalidOperations as e:
        assert "deeper" in e.detail["message"] or \
            "expected ')'" in e.detail["message"]
    assert time.monotonic() - started < 2


def test_size_bound():
    text = "(+ " + " ".join(["1"] * 50) + ")"
    with pytest.raises(InvalidOperations) as e:
        parser.parse(text, DEPTH, 20)
    assert "more than 20" in e.value.detail["message"]
    assert e.value.detail["offset"] == text.index("1") + 2 * 18


def test_deep_json_is_refused_at_the_bound():
    value = 1.0
    for _ in range(100):
        value = ["abs", value]
    with pytest.raises(InvalidOperations) as e:
        tree.validate(value, DEPTH, SIZE)
    assert "nested too deep" in e.value.reason
    assert e.value.path == [1] * DEPTH


@pytest.mark.parametrize("operations, reason, path", [
    ([], "Operation must not be empty", []),
    ({"foo": "bar"}, "Expected a tuple/list, got a dict", []),
    (["metric"], "Operation need at least one argument", []),
    (["notexist", ["metric", "a", "mean"]], "'notexist' operation invalid",
     []),
    (["rolling", "blah", 2, ["metric", "a", "mean"]],
     "'rolling' operation invalid", [1]),
    (["rolling", "mean", 0, ["metric", "a", "mean"]],
     "'rolling' operation invalid", [2]),
    (["resample", "mean", "invalid", ["metric", "a", "mean"]],
     "'resample' operation invalid", [2]),
    (["+", ["metric", "a", "mean"], ["abs", "x"]],
     "expected an operation or a number, got 'x'", [2, 1]),
    (["aggregate", "mean", ["metric", ["a", "mean"], ["b"]]],
     "'metric' operation invalid", [2, 2]),
])
def test_invalid_trees_name_the_offending_node(operations, reason, path):
    with pytest.raises(InvalidOperations) as e:
        tree.validate(operations, DEPTH, SIZE)
    assert e.value.reason.startswith(reason)
    assert e.value.path == path


def test_trailing_closing_parentheses_are_tolerated_as_in_gnocchi():
    assert parser.parse("(- (metric a mean) 1))", DEPTH, SIZE) == \
        ["-", ["metric", "a", "mean"], "1"]
    with pytest.raises(InvalidOperations):
        parser.parse("(abs 1) (abs 2)", DEPTH, SIZE)


def test_stat_parameters_in_both_forms():
    string = parser.parse("(stat moving-average (metric a mean) window=10)",
                          DEPTH, SIZE)
    as_json = ["stat", "moving-average", ["metric", "a", "mean"],
               {"window": 10}]
    expected = ("stat", "moving-average", {"window": "10"},
                ("metric", [("a", "mean")]))
    assert tree.validate(string, DEPTH, SIZE) == expected
    assert tree.validate(as_json, DEPTH, SIZE) == expected


def test_references_are_distinct_and_in_order():
    node = tree.validate(["+", ["metric", ["b", "mean"], ["a", "max"]],
                          ["metric", ["b", "mean"], ["c", "mean"]]],
                         DEPTH, SIZE)
    assert tree.references(node) == [("b", "mean"), ("a", "max"),
                                     ("c", "mean")]
