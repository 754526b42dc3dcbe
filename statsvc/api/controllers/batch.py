"""``POST /v1/batch/...``: measures for many metrics, all or nothing."""
import pecan
from pecan import rest

from statsvc.api import access
from statsvc.api.arguments import boolean
from statsvc.api.body import read_json
from statsvc.api.metrics import parse_metric_id
from statsvc.api.resources.access import get_resource
from statsvc.api.resources.metrics import attach_metrics, save_added
from statsvc.api.errors import ApiError
from statsvc.api.measures_input import parse_measures
from statsvc.api.responses import empty_response
from statsvc.resources import ResourceError, resource_uuid
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


class ResourcesMetricsMeasuresBatchController(rest.RestController):
    """``POST /v1/batch/resources/metrics/measures[?create_metrics=true]``:
    ``{resource id: {metric name: measures or {"archive_policy_name",
    "unit", "measures"}}}``, as Ceilometer's Gnocchi publisher sends it.

    Unknown resources are a 400 naming each (``cause: Unknown
    resources``), which Ceilometer answers by creating them; unknown
    metric names are created with ``create_metrics=true``, else a 400."""

    @pecan.expose()
    def post(self, create_metrics="false", **unknown):
        request = pecan.request
        if unknown:
            raise ApiError(400, f"Unknown parameter(s) "
                                f"{', '.join(sorted(unknown))}")
        create = boolean(create_metrics, "create_metrics")
        body = read_json(request, request.conf.getint("api", "max_body_size"))
        if not isinstance(body, dict) or not all(
                isinstance(v, dict) for v in body.values()):
            raise ApiError(400, 'Body must be a JSON object such as {"<resource'
                                ' id>": {"<metric name>": [measures...]}}')
        limit = request.conf.getint("api", "max_measures_per_request")
        wanted, missing = {}, []
        for original_id, by_name in body.items():
            measures = {name: _measures_of(spec, limit,
                                           f"body[{original_id!r}][{name!r}]")
                        for name, spec in by_name.items()}
            resource_id = _uuid_or_none(original_id, request.user.name)
            try:
                resource = get_resource(request, "generic", resource_id)
            except ApiError:
                # Without create_metrics Gnocchi looks up metrics only, so
                # those of a missing resource are unknown metrics.
                resource = {"id": resource_id, "metrics": {}}
                if create:
                    missing.append({"resource_id": resource_id,
                                    "original_resource_id": original_id})
            wanted[original_id] = (resource, measures)
        if missing:
            raise ApiError(400, {"cause": "Unknown resources",
                                 "detail": missing})
        batch = _metric_batch(request, wanted.values(), create)
        total = sum(len(ts) for ts, _ in batch.values())
        if total > limit:
            raise ApiError(400, f"{total} measures exceed the limit of "
                                f"{limit} per request")
        request.storage.add_measures(batch)
        return empty_response(202)


def _uuid_or_none(original_id, creator):
    """The UUID ``original_id`` maps to, or ``None`` (no such resource can
    exist)."""
    try:
        return resource_uuid(original_id, creator)
    except ResourceError:
        return None


def _measures_of(spec, limit, where):
    """``(attributes for a new metric, measures)`` of one metric's entry,
    in either of Gnocchi's two forms."""
    if isinstance(spec, dict):
        extra = sorted(set(spec) - {"archive_policy_name", "unit",
                                    "measures"})
        if extra or "measures" not in spec:
            raise ApiError(400, f"{where}: expected measures or "
                                f"{{\"archive_policy_name\", \"unit\", "
                                f"\"measures\"}}")
        attributes = {k: spec[k] for k in ("archive_policy_name", "unit")
                      if k in spec}
        return attributes, parse_measures(spec["measures"], limit, where)
    return {}, parse_measures(spec, limit, where)


def _metric_batch(request, wanted, create):
    """``{metric id: (timestamps, values)}``, creating the metrics a
    resource lacks when ``create``, else a 400 naming them all."""
    batch, unknown = {}, []
    for resource, by_name in wanted:
        missing = {n: a for n, (a, _) in by_name.items()
                   if n not in resource["metrics"]}
        if missing and not create:
            unknown += [f"{resource['id']}/{n}" for n in missing]
            continue
        if missing:
            # A name a concurrent batch gave its own new metric meanwhile
            # gets the measures of both.
            resource = save_added(request, resource["id"], attach_metrics(
                request, resource, missing), keep_theirs=True)
        for name, (_, measures) in by_name.items():
            batch[resource["metrics"][name]] = measures
    if unknown:
        raise ApiError(400, f"Unknown metrics: {', '.join(sorted(unknown))}",
                       metrics=sorted(unknown))
    return batch


class ResourcesMetricsBatchController:
    measures = ResourcesMetricsMeasuresBatchController()


class ResourcesBatchController:
    metrics = ResourcesMetricsBatchController()


class BatchController:
    """``/v1/batch``."""

    metrics = MetricsBatchController()
    resources = ResourcesBatchController()
