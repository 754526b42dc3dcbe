"""``POST /v1/batch/metrics/measures``: measures for many metrics, all or nothing."""
import pecan
from pecan import rest

from statsvc.api import access
from statsvc.api.body import read_json
from statsvc.api.controllers.metric import parse_metric_id
from statsvc.api.errors import ApiError
from statsvc.api.measures_input import parse_measures
from statsvc.api.responses import empty_response
from statsvc.storage import MetricNotFound


class MetricsMeasuresBatchController(rest.RestController):
    """Every measure is validated and every metric found before anything is
    written; the driver then writes the whole batch atomically."""

    @pecan.expose()
    def post(self):
        request = pecan.request
        body = read_json(request, request.conf.getint("api", "max_body_size"))
        if not isinstance(body, dict):
            raise ApiError(400, 'Body must be a JSON object such as '
                                '{"<metric id>": [{"timestamp": ..., '
                                '"value": ...}]}')
        max_metrics = request.conf.getint("api", "max_metrics_per_batch")
        if len(body) > max_metrics:
            raise ApiError(400, f"{len(body)} metrics exceed the limit of "
                                f"{max_metrics} per batch")
        limit = request.conf.getint("api", "max_measures_per_request")
        batch = {}
        for key, measures in body.items():
            metric_id = parse_metric_id(key)
            if metric_id is None:
                raise ApiError(400, f"Unknown metric {key!r}: not a UUID",
                               metric=key)
            if metric_id in batch:
                # Two spellings of one UUID: the first list would be lost.
                raise ApiError(400, f"Metric {metric_id} is given twice",
                               metric=key)
            batch[metric_id] = parse_measures(measures, limit,
                                              where=f"body[{key!r}]")
        total = sum(len(ts) for ts, _ in batch.values())
        if total > limit:
            raise ApiError(400, f"{total} measures exceed the limit of "
                                f"{limit} per request")
        try:
            access.check_metrics(request, batch)
            request.storage.add_measures(batch)
        except MetricNotFound:
            # Nothing was written; name them all, as Gnocchi does.
            unknown = sorted(_unknown(request, batch))
            raise ApiError(400, f"Unknown metrics: {', '.join(unknown)}",
                           metrics=unknown)
        return empty_response(202)


def _unknown(request, metric_ids):
    """The ids of ``metric_ids`` that ``request.user`` may not see."""
    for metric_id in metric_ids:
        try:
            access.get_metric(request, metric_id)
        except MetricNotFound:
            yield metric_id


class MetricsBatchController:
    measures = MetricsMeasuresBatchController()


class BatchController:
    """``/v1/batch``."""

    metrics = MetricsBatchController()
