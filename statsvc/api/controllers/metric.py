"""``/v1/metric``: create, list, show and delete metrics."""
import uuid

import pecan
from pecan import rest

from statsvc import archive_policy
from statsvc.api import access, listing, policies
from statsvc.api.body import read_json
from statsvc.api.controllers.measures import MeasuresController
from statsvc.api.errors import ApiError, invalid_input
from statsvc.api.responses import (
    empty_response, json_response, resource_url)

# Optional string attributes of a metric, with their maximum length.
_ATTRIBUTES = {"name": 255, "unit": 31, "archive_policy_name": 255,
               "resource_id": 255}


def validate_new_metric(body):
    """A new metric's attributes from a request body, checked."""
    if not isinstance(body, dict):
        raise invalid_input("expected a dictionary", [])
    unknown = sorted(set(body) - set(_ATTRIBUTES))
    if unknown:
        raise invalid_input("extra keys not allowed", [unknown[0]])
    metric = {}
    for key, max_length in _ATTRIBUTES.items():
        value = body.get(key)
        if value is not None and not isinstance(value, str):
            raise invalid_input("expected str for dictionary value", [key])
        if value is not None and len(value) > max_length:
            raise invalid_input(f"length of value must be at most "
                                f"{max_length} for dictionary value", [key])
        metric[key] = value
    if metric["name"] is not None and "/" in metric["name"]:
        # Gnocchi refuses it: names are path segments of resources' metrics.
        raise ApiError(400, "'/' is not supported in metric name")
    return metric


def create_metric(request, metric):
    """Store a new metric from validated attributes (``_ATTRIBUTES``), its
    policy named or chosen by the rules; return it and its policy (or
    ``None``)."""
    policy = policies.policy_for_new_metric(
        request.storage, metric.get("archive_policy_name"), metric.get("name"),
        request.conf.getboolean("api", "metrics_without_policy"))
    metric = dict(metric)
    if policy is not None:
        metric["archive_policy_name"] = policy["name"]
        # The driver drops points older than the longest timespan.
        metric["timespan_ns"] = archive_policy.retention_ns(policy)
    metric["id"] = str(uuid.uuid4())
    metric["creator"] = request.user.name
    return request.storage.create_metric(metric), policy


def parse_metric_id(text):
    """Canonical UUID string, or ``None`` if ``text`` is not a UUID."""
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None


class MetricController(rest.RestController):
    """``/v1/metric/<id>``."""

    def __init__(self, metric_id):
        self.metric_id = metric_id
        self.measures = MeasuresController(metric_id)

    @pecan.expose()
    def get_all(self):
        request = pecan.request
        metric = access.get_metric(request, self.metric_id)
        return json_response(policies.metric_json(
            metric, policies.policies_of(request.storage, [metric])))

    @pecan.expose()
    def delete(self):
        access.check_metric(pecan.request, self.metric_id)
        pecan.request.storage.delete_metric(self.metric_id)
        return empty_response(204)


class MetricsController(rest.RestController):
    """``/v1/metric``."""

    @pecan.expose()
    def post(self):
        request = pecan.request
        body = read_json(request, request.conf.getint("api", "max_body_size"))
        metric, policy = create_metric(request, validate_new_metric(body))
        response = json_response(policies.metric_json(
            metric, {} if policy is None else {policy["name"]: policy}),
            status=201)
        response.location = resource_url(request, "v1", "metric", metric["id"])
        return response

    @pecan.expose()
    def get_all(self):
        request = pecan.request
        metrics, link = listing.list_metrics(
            request, request.conf.getint("api", "max_limit"))
        known = policies.policies_of(request.storage, metrics)
        response = json_response([policies.metric_json(m, known)
                                  for m in metrics])
        if link is not None:
            response.headers["Link"] = link
        return response

    @pecan.expose()
    def _lookup(self, metric_id, *remainder):
        canonical = parse_metric_id(metric_id)
        if canonical is None:
            raise ApiError(404, f"Metric {metric_id} does not exist")
        return MetricController(canonical), remainder
