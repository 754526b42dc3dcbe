"""Evaluating expressions: random valid expressions over random series
either compute (rows and values consistent) or are refused with an
InvalidOperations, never another exception; and results match numpy
written out by hand."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from statsvc.aggregates import InvalidOperations, grid, tree

KEYS = [("a", "mean"), ("b", "mean"), ("c", "mean")]
METRICS = st.lists(st.sampled_from(KEYS), min_size=1, max_size=3,
                   unique=True).map(lambda refs: ["metric",
                                                  *[list(r) for r in refs]])
NUMBERS = st.sampled_from([0.0, -3.0, 0.5, 2.0, 1e308])


def _expressions(children):
    reduction = st.sampled_from(tree.REDUCTIONS)
    return st.one_of(
        st.tuples(st.just("aggregate"), reduction, children),
        st.tuples(st.just("rolling"), reduction, st.integers(1, 6),
                  children),
        st.tuples(st.just("resample"), st.sampled_from(tree.RESAMPLINGS),
                  st.sampled_from([1, 120, 3600]), children),
        st.tuples(st.sampled_from(tree.UNARY), children),
        st.tuples(st.sampled_from(tree.BINARY), children,
                  children | NUMBERS),
        st.tuples(st.just("clip"), children, NUMBERS, NUMBERS),
        st.tuples(st.just("stat"), st.just("double"), children),
    ).map(list)


EXPRESSIONS = st.recursive(METRICS, _expressions, max_leaves=8)
SERIES = st.lists(st.tuples(st.integers(0, 30), st.floats(
    -1e6, 1e6, allow_nan=False)), max_size=25).map(
    lambda points: sorted(dict(points).items()))


def double(name, params, times, column):
    keep = ~np.isnan(column)
    return times[keep], column[keep] * 2


def series_of(points):
    return (np.array([t * 60 * 10 ** 9 for t, _ in points], "int64"),
            np.array([v for _, v in points], "float64"))


@settings(max_examples=150, deadline=None)
@given(EXPRESSIONS, st.lists(SERIES, min_size=3, max_size=3),
       st.sampled_from(["dropna", "null", 0.0, "ffill", "full_bfill",
                        None]))
def test_random_expressions_compute_or_are_refused(expression, data, fill):
    node = tree.validate(expression, 32, 10000)
    series = [series_of(points) for points in data]
    with np.errstate(all="ignore"):
        try:
            aggregated, results = grid.compute(
                node, {60.0: (KEYS, series)}, (False, False), 50.0, fill,
                double)
        except InvalidOperations as e:
            assert e.cause == "Metrics cannot be aggregated"
            return
    for granularity, times, values in results:
        assert values.ndim == 2 and len(times) == len(values)
        assert granularity > 0
        # Merged series answer their first column, as Gnocchi's do; else
        # there is a column per metric the expression names.
        if aggregated:
            assert values.shape[1] >= 1
        else:
            assert values.shape[1] == len(tree.references(node))


def test_fill_and_aggregate_by_hand():
    a = series_of([(0, 1.0), (1, 2.0), (2, 3.0)])
    b = series_of([(1, 10.0), (3, 20.0)])
    node = tree.validate(["aggregate", "sum", ["metric", ["a", "mean"],
                                               ["b", "mean"]]], 32, 100)
    keys = KEYS[:2]
    _, [(_, times, values)] = grid.compute(node, {60.0: (keys, [a, b])},
                                           fill="ffill")
    # ffill keeps the gaps before a series' first point.
    assert values[:, 0].tolist() == [1.0, 12.0, 13.0, 23.0]
    _, [(_, times, values)] = grid.compute(node, {60.0: (keys, [a, b])},
                                           fill=0.0)
    assert values[:, 0].tolist() == [1.0, 12.0, 3.0, 20.0]
    assert (times // (60 * 10 ** 9)).tolist() == [0, 1, 2, 3]
    with pytest.raises(InvalidOperations, match="Less than 100"):
        grid.compute(node, {60.0: (keys, [a, b])}, (True, True), 100.0,
                     None)


def test_resample_follows_stored_series_rules():
    """As Gnocchi's carbonara: ``std`` is the sample standard deviation,
    ``rate:X`` is X of the differences between consecutive points."""
    a = series_of([(0, 1.0), (1, 4.0), (2, 6.0), (3, 7.0)])
    keys = KEYS[:1]
    for method, expected in (("std", [np.std([1.0, 4.0], ddof=1),
                                      np.std([6.0, 7.0], ddof=1)]),
                             ("rate:mean", [3.0, (2.0 + 1.0) / 2])):
        node = tree.validate(["resample", method, 120, ["metric", "a",
                                                        "mean"]], 32, 100)
        _, [(granularity, _, values)] = grid.compute(
            node, {60.0: (keys, [a])})
        assert granularity == 120
        assert values[:, 0].tolist() == pytest.approx(expected)
    with pytest.raises(InvalidOperations, match="'resample' operation"):
        tree.validate(["resample", "var", 120, ["metric", "a", "mean"]],
                      32, 100)
