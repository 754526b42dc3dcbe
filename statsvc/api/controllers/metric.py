"""``/v1/metric``: create, list, show and delete metrics."""
import pecan
from pecan import rest

from statsvc.api import access, listing, policies
from statsvc.api.resources import metrics as resource_metrics
from statsvc.api.body import read_json
from statsvc.api.controllers.measures import MeasuresController
from statsvc.api.errors import ApiError
from statsvc.api.metrics import (
    create_metric, parse_metric_id, validate_new_metric)
from statsvc.api.responses import (
    empty_response, json_response, resource_url)

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
        attributes = validate_new_metric(body)
        if attributes["resource_id"] is None:
            metric, policy = create_metric(request, attributes)
        else:
            metric, policy = resource_metrics.create_named_metric(
                request, attributes)
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
