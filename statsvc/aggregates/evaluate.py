"""Evaluating validated nodes over aligned series, as Gnocchi does.

The operand of every operation is ``(granularity, times, values,
aggregated)``: ``times`` int64 ns, ``values`` a 2-D float array (one row
per time, one column per series) or a plain number, ``aggregated`` whether
the columns have been merged into one. The caller gives
``run_statistic(name, params, times, column)`` for ``stat`` nodes, so that
this module knows nothing of plugins.
"""
import warnings

import numpy as np

from statsvc.aggregates import InvalidOperations, windows


def _nan_reduce(function):
    def nan_reduce(values, axis):
        # An all-NaN slice warns; NaN is the answer wanted there.
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return function(values, axis=axis)
    return nan_reduce


REDUCE = {
    "mean": _nan_reduce(np.nanmean), "median": _nan_reduce(np.nanmedian),
    "std": _nan_reduce(np.nanstd), "min": _nan_reduce(np.nanmin),
    "max": _nan_reduce(np.nanmax), "sum": _nan_reduce(np.nansum),
    "var": _nan_reduce(np.nanvar),
    "count": lambda values, axis: np.count_nonzero(
        ~np.isnan(values), axis=axis).astype("float64"),
}

#: Element-wise functions of one operand, by operation name.
UNARY_FUNCTIONS = {"abs": np.absolute, "absolute": np.absolute, "neg": np.negative,
          "negative": np.negative, "cos": np.cos, "sin": np.sin,
          "tan": np.tan, "floor": np.floor, "ceil": np.ceil}
#: Functions of two operands (series or numbers), by operation name.
BINARY_FUNCTIONS = {
    "=": np.equal, "==": np.equal, "eq": np.equal, "<": np.less,
    "lt": np.less, ">": np.greater, "gt": np.greater,
    "<=": np.less_equal, "≤": np.less_equal, "le": np.less_equal,
    ">=": np.greater_equal, "≥": np.greater_equal, "ge": np.greater_equal,
    "!=": np.not_equal, "≠": np.not_equal, "ne": np.not_equal,
    "%": np.mod, "mod": np.mod, "+": np.add, "add": np.add,
    "-": np.subtract, "sub": np.subtract, "*": np.multiply,
    "×": np.multiply, "mul": np.multiply, "/": np.true_divide,
    "÷": np.true_divide, "div": np.true_divide, "**": np.power,
    "^": np.power, "pow": np.power,
    "clip_min": lambda a, v: np.clip(a, v, None),
    "clip_max": lambda a, v: np.clip(a, None, v), "max": np.fmax,
}


def reduce(method, values, axis):
    """``method`` (one of :data:`tree.REDUCTIONS`) along ``axis``, NaNs
    ignored; ``rate:X`` is the difference of consecutive X results."""
    rate = method.startswith("rate:")
    result = REDUCE[method[5:] if rate else method](values, axis)
    # Over time: the last axis of what the reduction leaves.
    return np.diff(result) if rate else result


def evaluate(node, granularity, times, values, references, run_statistic):
    """``(granularity, times, values, aggregated)`` of ``node`` over the
    ``values`` grid whose columns are ``references``."""
    return _Evaluator(references, run_statistic).node(
        node, (granularity, times, values, False))


class _Evaluator:
    def __init__(self, references, run_statistic):
        self.references = references
        self.run_statistic = run_statistic

    def node(self, node, initial):
        kind = node[0]
        if kind == "number":
            return (*initial[:2], node[1], initial[3])
        if kind == "metric":
            granularity, times, values, aggregated = initial
            columns = [i for i, r in enumerate(self.references)
                       if r in node[1]]
            return granularity, times, values[:, columns], aggregated
        return getattr(self, kind)(node, initial)

    def aggregate(self, node, initial):
        granularity, times, values, _ = self.node(node[2], initial)
        values = _matrix(values, times)
        result = reduce(node[1], values, axis=1)[:, None]
        if node[1].startswith("rate:"):
            times = times[1:]
        return granularity, times, result, True

    def rolling(self, node, initial):
        _, method, window, child = node
        granularity, times, values, aggregated = self.node(child, initial)
        values = _matrix(values, times)
        if window > len(values):
            raise InvalidOperations(
                "Metrics cannot be aggregated",
                f"Rolling window '{window}' is greater than serie length "
                f"'{len(values)}'")
        rolled = windows.rolling(values, window, method, reduce)
        times = times[window - 1:]
        if method.startswith("rate:"):
            times = times[1:]
        return granularity, times, rolled, aggregated

    def resample(self, node, initial):
        _, method, seconds, child = node
        _, times, values, aggregated = self.node(child, initial)
        times, values = windows.resample(times, _matrix(values, times),
                                         round(seconds * 1e9), method)
        return seconds, times, values, aggregated

    def unary(self, node, initial):
        granularity, times, values, aggregated = self.node(node[2], initial)
        op = node[1]
        with np.errstate(all="ignore"):
            if op == "rateofchange":
                values = _matrix(values, times)
                return granularity, times[1:], np.diff(values, axis=0), \
                    aggregated
            if op == "rateofchangesec":
                values = _matrix(values, times)
                seconds = np.diff(times).astype("float64") / 1e9
                return granularity, times[1:], \
                    np.diff(values, axis=0) / seconds[:, None], aggregated
            return granularity, times, UNARY_FUNCTIONS[op](values), aggregated

    def binary(self, node, initial):
        left, right = (self.node(n, initial) for n in node[2:4])
        granularity, times, values = _operands(node, left, right)
        with np.errstate(all="ignore"):
            result = BINARY_FUNCTIONS[node[1]](left[2], right[2])
        aggregated = left[3] or right[3] or (
            isinstance(left[2], np.ndarray) and isinstance(right[2],
                                                           np.ndarray))
        result = np.asarray(result, "float64") \
            if isinstance(result, np.ndarray) else float(result)
        return granularity, times, result, aggregated

    def clip(self, node, initial):
        operand = self.node(node[1], initial)
        low = self.node(node[2], initial)
        high = None if node[3] is None else self.node(node[3], initial)
        for bound in (low, high):
            if bound is not None and isinstance(bound[2], np.ndarray) \
                    and isinstance(operand[2], np.ndarray):
                _operands(node, operand, bound)
        with np.errstate(all="ignore"):
            values = np.clip(operand[2], low[2],
                             None if high is None else high[2])
        return operand[0], operand[1], values, operand[3]

    def stat(self, node, initial):
        _, name, params, child = node
        granularity, times, values, aggregated = self.node(child, initial)
        values = _matrix(values, times)
        columns = [self.run_statistic(name, params, times, values[:, i])
                   for i in range(values.shape[1])]
        times, values = windows.align(columns)
        return granularity, times, values, aggregated


def _matrix(values, times):
    """A number where a series is needed stands for a constant series."""
    if isinstance(values, np.ndarray):
        return values
    return np.full((len(times), 1), float(values))


def _operands(node, left, right):
    """The granularity and times of a binary operation's result: two series
    must share them (Gnocchi's rule)."""
    name = "clip" if node[0] == "clip" else node[1]
    if isinstance(left[2], np.ndarray) and isinstance(right[2], np.ndarray):
        if left[0] != right[0] or not np.array_equal(left[1], right[1]):
            raise InvalidOperations(
                "Metrics cannot be aggregated",
                f"Can't compute timeseries with different granularity "
                f"or timestamps in '{name}'")
        columns = {left[2].shape[1], right[2].shape[1]}
        if len(columns - {1}) > 1:
            # Gnocchi fails here with a 500: numpy cannot broadcast them.
            raise InvalidOperations(
                "Metrics cannot be aggregated",
                f"Can't compute '{name}' between {left[2].shape[1]} and "
                f"{right[2].shape[1]} series")
        return left[:3]
    source = right if isinstance(right[2], np.ndarray) else left
    return source[:3]
