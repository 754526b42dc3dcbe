"""``POST /v1/search/metric``: the points of some metrics whose values
match a query (:mod:`statsvc.measure_query`), as Gnocchi answers it.

``metric_id`` (repeated) names the metrics; ``granularity`` (repeated)
the archives to search, by default all of the policy's; ``aggregation``
the method (``mean``); ``start``/``stop`` bound the time. The answer maps
each metric id to its matching ``[timestamp, granularity, value]``.
Missing metrics and other users' metrics are left out, as Gnocchi leaves
out the ids its index does not return.
"""
import uuid

import orjson
import pecan
from pecan import rest

from statsvc import aggregation
from statsvc import archive_policy
from statsvc import measure_query
from statsvc.api import access, metric_series, policies, serialize, timestamps
from statsvc.api.body import read_json
from statsvc.api.errors import ApiError
from statsvc.api.responses import json_response
from statsvc.storage import MetricNotFound

_ALLOWED = {"metric_id", "granularity", "aggregation", "start", "stop"}


def _metric_ids(query):
    ids = query.getall("metric_id")
    if not ids:
        raise ApiError(400, "metric_id is required: the metrics to search",
                       parameter="metric_id")
    try:
        return list(dict.fromkeys(str(uuid.UUID(i)) for i in ids))
    except ValueError:
        raise ApiError(400, "metric_id must be a UUID",
                       parameter="metric_id") from None


def _bound(query, name):
    raw = query.get(name)
    if raw is None:
        return None
    try:
        return timestamps.parse(raw, name)
    except ApiError as e:
        raise ApiError(400, f"Invalid value for {name}: {e.description}",
                       parameter=name) from None


def _granularities(query):
    """Requested granularities in seconds, coarsest first, or ``None``."""
    raw = query.getall("granularity")
    if not raw:
        return None
    try:
        return sorted({archive_policy.parse_timespan(g) for g in raw},
                      reverse=True)
    except archive_policy.PolicyError as e:
        raise ApiError(400, f"Invalid value for granularity: {e}",
                       parameter="granularity") from None


def _groups(storage, metric, policy, granularities, method, start, stop):
    """``[(granularity, ts, values)]`` to search in one metric."""
    if policy is None:
        # A metric without policy: its raw points, or resampled on demand.
        ts, values = storage.get_measures(metric["id"], start, stop)
        if granularities is None:
            return [(None, ts, values)]
        method = archive_policy.aggregation_method(method)
        if not aggregation.is_valid(method):
            raise ApiError(400, f"Unknown aggregation {method!r}",
                           parameter="aggregation")
        return [(g, *aggregation.resample(ts, values, round(g * 1e9), method))
                for g in granularities]
    defined = sorted((item["granularity"] for item in policy["definition"]),
                     reverse=True)
    groups = []
    for granularity in granularities or defined:
        if (method not in policy["aggregation_methods"]
                or all(round(granularity * 1e9) != round(d * 1e9)
                       for d in defined)):
            raise ApiError(400, {"cause": "Aggregation does not exist",
                                 "detail": {"metric": metric["id"],
                                            "granularity": granularity,
                                            "aggregation_method": method}},
                           parameter="granularity")
        groups += metric_series.policy_series(storage, metric, policy,
                                              granularity, method, start,
                                              stop)
    return groups


class MetricSearchController(rest.RestController):
    """``/v1/search/metric``."""

    @pecan.expose()
    def post(self):
        request = pecan.request
        query = request.GET
        unknown = set(query.keys()) - _ALLOWED
        if unknown:
            raise ApiError(400, f"Unknown parameter(s) "
                                f"{', '.join(sorted(unknown))}",
                           parameter=sorted(unknown)[0])
        ids = _metric_ids(query)
        if not request.body:
            raise ApiError(400, "No query specified in body")
        tree = read_json(request, request.conf.getint("api", "max_body_size"))
        try:
            keep = measure_query.compile_query(tree)
        except measure_query.InvalidQuery as e:
            raise ApiError(400, {"cause": "Invalid input", "reason": str(e),
                                 "detail": [str(p) for p in e.path]}) from None
        start, stop = _bound(query, "start"), _bound(query, "stop")
        granularities = _granularities(query)
        method = query.get("aggregation", "mean")
        metrics = []
        for metric_id in ids:
            try:
                metrics.append(access.get_metric(request, metric_id))
            except MetricNotFound:
                continue
        known = policies.policies_of(request.storage, metrics)
        parts = []
        for metric in metrics:
            groups = _groups(request.storage, metric,
                             known.get(metric.get("archive_policy_name")),
                             granularities, method, start, stop)
            matching = []
            for granularity, ts, values in groups:
                kept = keep(values)
                matching.append((granularity, ts[kept], values[kept]))
            parts.append(orjson.dumps(metric["id"]) + b":"
                         + serialize.measures_groups(matching))
        return json_response(b"{" + b",".join(parts) + b"}", encoded=True)
