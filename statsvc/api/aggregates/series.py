"""The series an aggregates expression reads, checked and read through
:func:`statsvc.api.metric_series.policy_series`, and the statistic
plugins its ``stat`` operations call."""
import collections

import numpy as np
import pecan

from statsvc.api import metric_series, statistic_calls
from statsvc.api.errors import ApiError
from statsvc.statistics import Series


class Reference:
    """One series of the expression: a metric, its aggregation, the key
    the expression names it by, and the keys of its measures in the
    response (``output_path``: ``(metric, aggregation)``, or ``(resource,
    metric name, aggregation)`` in the resource forms)."""

    def __init__(self, metric, policy, aggregation, key, output_path=None):
        self.metric = metric
        self.policy = policy
        self.aggregation = aggregation
        self.key = key
        self.output_path = output_path or key

    @property
    def name(self):
        """How Gnocchi's errors name it: its id, or (resource forms) its
        name."""
        return self.output_path[-2]


def _cannot_aggregate(reason, detail):
    return ApiError(400, {"cause": "Metrics cannot be aggregated",
                          "reason": reason, "detail": detail})


def granularities(references, granularity):
    """The granularities to compute: ``granularity`` if every metric has
    it, else those all metrics share (Gnocchi's rules and 400s)."""
    for ref in references:
        if ref.policy is None:
            raise ApiError(400, f"Metric {ref.metric['id']} has no archive "
                                f"policy; aggregates need one",
                           metric=ref.metric["id"])
        if ref.aggregation not in ref.policy["aggregation_methods"]:
            raise ApiError(404, {
                "cause": "Metrics with unknown aggregation",
                "detail": [[ref.metric["id"], ref.aggregation]]})
    if granularity is None:
        common = shared_granularities(references)
        if not common:
            raise _cannot_aggregate("No granularity match", [
                [ref.name, ref.aggregation] for ref in references])
        return common
    missing = [[ref.name, ref.aggregation, granularity]
               for ref in references
               if not any(round(item["granularity"] * 1e9)
                          == round(granularity * 1e9)
                          for item in ref.policy["definition"])]
    if missing:
        raise _cannot_aggregate("Granularities are missing", missing)
    return [granularity]


def shared_granularities(references):
    """The granularities the policies of all ``references`` have."""
    counts = collections.Counter(
        item["granularity"] for ref in references
        for item in ref.policy["definition"])
    return [g for g, n in counts.items() if n == len(references)]


def read(references, grains, start, stop, max_points):
    """``{granularity: [(times, values)]}``, one series per reference, in
    order; a 400 past ``max_points`` points in all."""
    storage = pecan.request.storage
    by_granularity = {g: [] for g in grains}
    total = 0
    for ref in references:
        for g in grains:
            ((_, ts, values),) = metric_series.policy_series(
                storage, ref.metric, ref.policy, g, ref.aggregation, start,
                stop)
            total += len(ts)
            if total > max_points:
                raise ApiError(400, f"More than {max_points} points in "
                                    f"range; narrow start/stop or choose a "
                                    f"granularity")
            by_granularity[g].append((ts, values))
    return by_granularity


def statistics(stat_nodes):
    """The validated parameters of each ``stat`` operation, by ``(name,
    sorted parameters)``: checked as on ``GET .../measures`` (a 400 naming
    the parameter; a 400 for an unknown statistic, a 500 or 501 for one
    installed but not loaded)."""
    registry = pecan.request.statistics
    validated = {}
    for _, name, params, _ in stat_nodes:
        unusable = registry.unusable(name, statistic=name)
        if unusable is not None:
            raise unusable
        if name not in registry:
            raise ApiError(400, {
                "cause": "Invalid input",
                "reason": f"Unknown statistic {name!r}; available: "
                          f"{', '.join(registry.names()) or 'none'}",
                "detail": ["operations"]}, statistic=name)
        key = (name, tuple(sorted(params.items())))
        validated[key] = statistic_calls.validate(name, registry[name],
                                                  params)
    return validated


def statistic_runner(validated):
    """``run_statistic`` for :func:`statsvc.aggregates.grid.compute`: the
    plugin over one series' points (gaps left out)."""
    registry = pecan.request.statistics

    def run(name, params, times, column):
        keep = ~np.isnan(column)
        return statistic_calls.run(
            name, registry[name], Series(times[keep], column[keep]),
            validated[(name, tuple(sorted(params.items())))])
    return run
