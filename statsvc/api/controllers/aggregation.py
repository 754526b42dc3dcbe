"""``/v1/aggregation``: Gnocchi's older cross-metric API, which
gnocchiclient's ``measures aggregation`` and Grafana's Gnocchi data source
still call.

``/v1/aggregation/metric?metric=<id>&metric=<id>`` (or a POST of the ids)
and ``POST /v1/aggregation/resource/<type>/metric/<name>`` (resources by a
search, optionally ``groupby``) answer Gnocchi's ``[[timestamp,
granularity, value]]``. As Gnocchi does, each request becomes an
expression of ``/v1/aggregates``, ``(aggregate REAGGREGATION [(resample
AGGREGATION RESAMPLE] (metric (ID AGGREGATION) ...)))``, computed by the
same engine; a single metric is answered as it is stored (resampled if
asked), without reaggregation.
"""
import orjson
import pecan
from pecan import rest

from statsvc.aggregates import InvalidOperations, grid, tree
from statsvc.api import access, policies, serialize
from statsvc.api.aggregates import parsing
from statsvc.api.aggregates import resources as aggregates_resources
from statsvc.api.aggregates.series import Reference, shared_granularities
from statsvc.api.arguments import boolean
from statsvc.api.body import read_json
from statsvc.api.controllers.aggregates import compute
from statsvc.api.controllers.resource_type import get_type
from statsvc.api.errors import ApiError
from statsvc.api.metrics import parse_metric_id
from statsvc.api.resources.query import query_predicate
from statsvc.api.responses import json_response
from statsvc.storage import MetricNotFound

_PARAMETERS = {"start", "stop", "aggregation", "reaggregation",
               "granularity", "needed_overlap", "fill", "refresh",
               "resample"}


def _options(request, allowed):
    """The query's options (:func:`parsing.parse_query`'s, and
    ``aggregation``, ``reaggregation``, ``resample``); a 400 naming
    unknown parameters."""
    query = request.GET
    unknown = sorted(set(query) - allowed)
    if unknown:
        raise ApiError(400, f"Unknown parameter(s) {', '.join(unknown)}",
                       parameter=unknown[0])
    options = parsing.parse_query(query)
    if query.get("fill") is None:
        # Gnocchi's default needed_overlap (100) is given here, so no fill
        # means none, not /v1/aggregates' dropna.
        options["fill"] = None
    boolean(query.get("refresh", "false"), "refresh")  # always fresh here
    options["aggregation"] = query.get("aggregation", "mean")
    options["reaggregation"] = query.get("reaggregation",
                                         options["aggregation"])
    options["resample"] = query.get("resample")
    if options["resample"] is not None and options["granularity"] is None:
        raise ApiError(400, "A granularity must be specified to resample",
                       parameter="resample")
    return options


def _granularities(references, granularity):
    """The granularities to compute, with Gnocchi's errors: those all the
    metrics share unless one is asked, each kept with the aggregation by
    every metric."""
    for ref in references:
        if ref.policy is None:
            raise ApiError(400, f"Metric {ref.metric['id']} has no archive "
                                f"policy; aggregation needs one",
                           metric=ref.metric["id"])
    grains = [granularity]
    if granularity is None:
        grains = shared_granularities(references)
        if not grains:
            raise ApiError(400, {
                "cause": "Metrics cannot be aggregated",
                "reason": "No granularity match",
                "detail": [[ref.metric["id"], ref.aggregation]
                           for ref in references]})
    for ref in references:
        kept = {round(item["granularity"] * 1e9)
                for item in ref.policy["definition"]}
        known = ref.aggregation in ref.policy["aggregation_methods"]
        if len(references) == 1 and not known:
            raise ApiError(404, {
                "cause": "Aggregation method does not exist for this metric",
                "detail": {"metric": ref.metric["id"],
                           "aggregation_method": ref.aggregation}})
        for g in grains:
            if not known or round(g * 1e9) not in kept:
                raise ApiError(404, f"Aggregation method "
                                    f"'{ref.aggregation}' at granularity "
                                    f"'{float(g)!r}' for metric "
                                    f"{ref.metric['id']} does not exist")
    return grains


def aggregated_measures(request, metrics, options):
    """Gnocchi's answer for ``metrics`` (their dicts), as JSON bytes of
    ``[[timestamp, granularity, value]]``, coarsest granularity first."""
    if not metrics:
        return b"[]"
    aggregation = options["aggregation"]
    known = policies.policies_of(request.storage, metrics)
    references = [Reference(m, known.get(m.get("archive_policy_name")),
                            aggregation, (m["id"], aggregation))
                  for m in metrics]
    _granularities(references, options["granularity"])
    operations = ["metric", *[[m["id"], aggregation] for m in metrics]]
    if options["resample"] is not None:
        operations = ["resample", aggregation, options["resample"],
                      operations]
    if len(metrics) > 1:
        operations = ["aggregate", options["reaggregation"], operations]
    try:
        node = tree.validate(operations, parsing.MAX_DEPTH, len(metrics) + 4)
    except InvalidOperations as e:
        # What a user gave: the aggregation, reaggregation or resample.
        raise ApiError(400, e.reason) from None
    _, results = compute(request, node, references, options)
    return serialize.measures_groups([
        (g, *grid.columns(times, values, options["fill"])[0])
        for g, times, values in results])


def _metric_ids(request):
    """The metric ids of ``GET ?metric=...`` or of a POSTed JSON list."""
    if request.method == "GET":
        ids = request.GET.getall("metric")
    else:
        ids = read_json(request, request.conf.getint("api", "max_body_size"))
        if not isinstance(ids, list):
            raise ApiError(400, "Invalid input: expected a list of metric "
                                "ids")
    parsed = [parse_metric_id(i) if isinstance(i, str) else None
              for i in ids]
    if not ids or None in parsed:
        raise ApiError(400, "Invalid input: expected metric ids (UUIDs), "
                            "at least one", parameter="metric")
    return list(dict.fromkeys(parsed))


class AggregationResourceController(rest.RestController):
    """``/v1/aggregation/resource/<type>/metric/<name>``."""

    path_parameter = "metric_name"

    def __init__(self, type_name, metric_name):
        self.type_name = type_name
        self.metric_name = metric_name

    @pecan.expose()
    def post(self, **query):
        request = pecan.request
        options = _options(request, _PARAMETERS | {"groupby", "filter"})
        resource_type = get_type(request.storage, self.type_name)
        groupby = options["groupby"]
        aggregates_resources.check_groupby(resource_type, groupby)
        resources = aggregates_resources.matching(
            request, resource_type, query_predicate(request, resource_type),
            groupby)
        if not groupby:
            return json_response(aggregated_measures(
                request, self._metrics(request, resources), options),
                encoded=True)
        return json_response([
            {"group": group, "measures": orjson.Fragment(aggregated_measures(
                request, self._metrics(request, members), options))}
            for group, members in aggregates_resources.groups(resources,
                                                              groupby)])

    def _metrics(self, request, resources):
        """The metric ``metric_name`` of each of ``resources`` that has
        one the user may read."""
        found = []
        for resource in resources:
            metric_id = resource["metrics"].get(self.metric_name)
            if metric_id is None:
                continue
            try:
                found.append(access.get_metric(request, metric_id))
            except MetricNotFound:
                pass  # deleted since, or someone else's
        return found


class _MetricNamesController(rest.RestController):
    """``/v1/aggregation/resource/<type>/metric``."""

    def __init__(self, type_name):
        self.type_name = type_name

    @pecan.expose()
    def _lookup(self, metric_name, *remainder):
        return AggregationResourceController(self.type_name,
                                             metric_name), remainder


class _ResourceTypeController:
    """``/v1/aggregation/resource/<type>``."""

    path_parameter = "resource_type"

    def __init__(self, type_name):
        self.metric = _MetricNamesController(type_name)


class _ResourceTypesController(rest.RestController):
    """``/v1/aggregation/resource``."""

    @pecan.expose()
    def _lookup(self, type_name, *remainder):
        return _ResourceTypeController(type_name), remainder


class AggregationController(rest.RestController):
    """``/v1/aggregation``."""

    _custom_actions = {"metric": ["GET", "POST"]}
    resource = _ResourceTypesController()

    @pecan.expose()
    def get_metric(self, metric=None, **query):
        # The parameters are read from the request: pecan's routing wants
        # one argument per path segment ("metric") to pick this action.
        request = pecan.request
        options = _options(request, _PARAMETERS | {"metric"})
        metrics = []
        for metric_id in _metric_ids(request):
            try:
                metrics.append(access.get_metric(request, metric_id))
            except MetricNotFound:
                raise ApiError(404, f"Metric {metric_id} does not exist") \
                    from None
        return json_response(aggregated_measures(request, metrics, options),
                             encoded=True)

    post_metric = get_metric

    @pecan.expose()
    def _lookup(self, kind, *remainder):
        # pecan comes here for every path it routed to a handler taking
        # fewer arguments than the path has segments (resource/...), and
        # for paths that name nothing, which Gnocchi answers with a 404
        # (pecan: 405).
        if kind == "resource":
            return self.resource, remainder
        raise ApiError(404, "The resource could not be found: check the URL")
