"""``POST /v1/aggregates``: Gnocchi's operations across metrics
(:mod:`statsvc.aggregates`), over metrics named by id or found by a
resource search."""
import numpy as np
import orjson
import pecan
from pecan import rest

from statsvc.aggregates import InvalidOperations, grid, tree
from statsvc.api import access, policies
from statsvc.api.aggregates import history as aggregates_history
from statsvc.api.aggregates import parsing as aggregates_parsing
from statsvc.api.aggregates import resources as aggregates_resources
from statsvc.api.aggregates import series as aggregates_series
from statsvc.api import serialize
from statsvc.api.body import read_json
from statsvc.api.errors import ApiError
from statsvc.api.metrics import parse_metric_id
from statsvc.api.responses import json_response
from statsvc.storage import MetricNotFound


#: Element operations an expression may do per point ``[api]
#: max_points_per_get`` allows.
WORK_PER_POINT = 100


def _metrics_by_id(request, keys):
    """References for ``(metric id, aggregation)`` keys; Gnocchi's 400 for
    a malformed id and 404 listing the missing (or someone else's)."""
    ids = {}
    for metric_ref, _ in keys:
        canonical = parse_metric_id(metric_ref)
        if canonical is None:
            raise ApiError(400, {"cause": "Invalid metric references",
                                 "reason": f"{metric_ref!r} is not a UUID",
                                 "detail": [list(k) for k in keys]})
        ids[metric_ref] = canonical
    metrics, missing = {}, []
    for metric_ref, canonical in ids.items():
        try:
            metrics[metric_ref] = access.get_metric(request, canonical)
        except MetricNotFound:
            missing.append(metric_ref)
    if missing:
        raise ApiError(404, {"cause": "Unknown metrics",
                             "reason": "Provided metrics don't exists",
                             "detail": sorted(missing)})
    known = policies.policies_of(request.storage, list(metrics.values()))
    return [aggregates_series.Reference(
        metrics[ref], known.get(metrics[ref].get("archive_policy_name")),
        aggregation, (ref, aggregation)) for ref, aggregation in keys]


def compute(request, node, references, options):
    """``(aggregated, results)`` of :func:`grid.compute` for references."""
    grains = aggregates_series.granularities(references,
                                             options["granularity"])
    max_points = request.conf.getint("api", "max_points_per_get")
    series = aggregates_series.read(
        references, grains, options["start"], options["stop"], max_points)
    validated = aggregates_series.statistics(tree.statistics(node))
    keys = [ref.key for ref in references]
    try:
        return grid.compute(
            node, {g: (keys, series[g]) for g in grains},
            (options["start"] is not None, options["stop"] is not None),
            options["needed_overlap"], options["fill"],
            aggregates_series.statistic_runner(validated),
            # A second or two of numpy at most.
            max_work=WORK_PER_POINT * max_points)
    except InvalidOperations as e:
        raise aggregates_parsing.invalid_operations(e) from None


def _fragment(groups):
    return orjson.Fragment(serialize.measures_groups(groups))


def measures_json(references, aggregated, results, fill):
    """Gnocchi's ``measures``: ``{"aggregated": [...]}``, or nested by each
    reference's ``output_path``."""
    if aggregated:
        return {"aggregated": _fragment([
            (g, *grid.columns(times, values, fill)[0])
            for g, times, values in results])}
    per_reference = [[] for _ in references]
    for g, times, values in results:
        for i, (ts, vals) in enumerate(grid.columns(times, values, fill)):
            per_reference[i].append((g, ts, vals))
    out = {}
    for ref, groups in zip(references, per_reference):
        *path, last = ref.output_path
        place = out
        for key in path:
            place = place.setdefault(key, {})
        place[last] = _fragment(groups or [(None, np.array([], "int64"),
                                            np.array([]))])
    return out


class AggregatesController(rest.RestController):
    """``/v1/aggregates``."""

    @pecan.expose()
    def post(self):
        request = pecan.request
        options = aggregates_parsing.parse_query(request.GET)
        body = read_json(request, request.conf.getint("api", "max_body_size"))
        node, body = aggregates_parsing.parse_body(body, request.conf)
        keys = tree.references(node)

        def measures(references):
            aggregated, results = compute(request, node, references, options)
            return {"measures": measures_json(references, aggregated,
                                              results, options["fill"])}

        if "resource_type" in body and options["use_history"] \
                and options["groupby"]:
            return json_response(aggregates_history.answer(
                request, keys, body, options,
                lambda refs, start, stop: compute(
                    request, node, refs, dict(options, start=start,
                                              stop=stop))))
        if "resource_type" in body:
            return json_response(aggregates_resources.answer(
                request, node, keys, body, options, measures))
        references = _metrics_by_id(request, keys)
        response = measures(references)
        if options["details"]:
            shown = {ref.metric["id"]: ref.metric for ref in references}
            known = policies.policies_of(request.storage,
                                         list(shown.values()))
            response["references"] = [policies.metric_json(m, known)
                                      for m in shown.values()]
        return json_response(response)
