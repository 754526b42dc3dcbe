"""Aligning metrics' series per granularity and computing an expression
over them, as Gnocchi's aggregates processor does: ``fill`` and
``needed_overlap`` decide what happens where series have no point."""
import numpy as np

from statsvc.aggregates import InvalidOperations, tree
from statsvc.aggregates.evaluate import evaluate

#: The ``fill`` values other than a number.
FILL_WORDS = ("null", "dropna", "ffill", "bfill", "full_ffill", "full_bfill")
_DROPPING = ("dropna", "ffill", "bfill", "full_ffill", "full_bfill")


def _forward_fill(grid):
    """Each NaN takes the last value before it on its row (Gnocchi's
    ``utils.forward_fill``)."""
    mask = np.isnan(grid)
    index = np.where(~mask, np.arange(mask.shape[1]), 0)
    np.maximum.accumulate(index, axis=1, out=index)
    return grid[np.arange(index.shape[0])[:, None], index]


def _backward_fill(grid):
    return _forward_fill(grid[:, ::-1])[:, ::-1]


_FILLS = {"ffill": (_forward_fill,), "bfill": (_backward_fill,),
          "full_ffill": (_forward_fill, _backward_fill),
          "full_bfill": (_backward_fill, _forward_fill)}


def _union(series):
    """The times of the grid: those of every series, sorted, once."""
    times = series[0][0]
    if all(np.array_equal(ts, times) for ts, _ in series[1:]):
        return times  # the common case, metrics written together
    return np.unique(np.concatenate([ts for ts, _ in series]))


def _grid(series, times, fill):
    """Times x series grid of the series on ``times``, gaps filled."""
    filler = np.nan if fill is None or fill in FILL_WORDS else fill
    grid = np.full((len(series), len(times)), filler)
    for row, (ts, values) in zip(grid, series):
        row[np.searchsorted(times, ts)] = values
    for step in _FILLS.get(fill, ()):
        grid = step(grid)
    return grid.T


def _overlap(times, values, keys, bounded, needed):
    """Gnocchi's overlap rule (when no ``fill``): trim unbounded ends to the
    first/last time every series has, then require ``needed`` percent of
    the times to have every series."""
    complete = np.flatnonzero(~np.any(np.isnan(values), axis=1))
    if complete.size == 0 and needed > 0:
        raise InvalidOperations("Metrics cannot be aggregated", "No overlap",
                                keys=keys)
    if times.size and complete.size:
        start_bounded, stop_bounded = bounded
        if not stop_bounded:
            times, values = times[:complete[-1] + 1], values[:complete[-1] + 1]
        if not start_bounded:
            times, values = times[complete[0]:], values[complete[0]:]
    if times.size:
        percent = complete.size * 100.0 / times.size
        if percent < needed:
            raise InvalidOperations(
                "Metrics cannot be aggregated",
                f"Less than {needed:f}% of datapoints overlap in this "
                f"timespan ({percent:.2f}%)", keys=keys)
    return times, values


def compute(node, granularities, bounded=(False, False), needed_overlap=100.0,
            fill="dropna", run_statistic=None, max_work=None):
    """The result of ``node`` for each granularity, coarsest first.

    ``granularities`` maps a granularity (s) to ``(keys, series)``: the
    ``(metric_ref, aggregation)`` each series answers in the expression,
    and its ``(times, values)``. ``bounded`` says whether start and stop
    were given. Returns ``(aggregated, [(granularity, times, values)])``:
    ``values`` has one column per key unless ``aggregated``.

    :raises InvalidOperations: also when :func:`tree.cost` times the values
        aligned exceeds ``max_work``, so that no request computes for long.
    """
    results, aggregated = [], False
    work = tree.cost(node)
    for granularity in sorted(granularities, reverse=True):
        keys, series = granularities[granularity]
        times = _union(series)
        cells = len(times) * len(series)
        if max_work is not None and work * cells > max_work:
            # Checked before the grid is even allocated.
            raise InvalidOperations(
                "Operations too costly",
                f"{work} operations per value over {cells} values "
                f"exceed the limit of {max_work}; narrow start/stop, "
                f"choose a coarser granularity or shorten windows")
        values = _grid(series, times, fill)
        if fill is None:
            times, values = _overlap(times, values, keys, bounded,
                                     needed_overlap)
        g, times, values, aggregated = evaluate(
            node, granularity, times, values, keys, run_statistic)
        if not isinstance(values, np.ndarray):  # an expression of numbers
            values = np.full((len(times), 1), values)
        results.append((g, times, values))
    return aggregated, results


def columns(times, values, fill):
    """Each column of a result as ``(times, values)``, without the NaN and
    infinite values where ``fill`` drops them."""
    out = []
    for column in values.T:
        if fill in _DROPPING:
            keep = np.isfinite(column)
            out.append((times[keep], column[keep]))
        else:
            out.append((times, column))
    return out
