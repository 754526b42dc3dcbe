"""``/v1/metric/<id>/measures``: add points, read them, compute statistics."""
import collections
import math

import pecan
from pecan import rest

from statsvc import aggregation
from statsvc import archive_policy
from statsvc.api import access
from statsvc.api import metric_series
from statsvc.api import policies
from statsvc.api import statistic_calls
from statsvc.api import serialize
from statsvc.api.body import read_json
from statsvc.api.errors import ApiError
from statsvc.api.measures_input import parse_measures
from statsvc.api.responses import empty_response, json_response
from statsvc.api import timestamps
from statsvc.statistics import Series

# Query parameters of GET measures itself; the rest belong to the statistic.
_OWN_PARAMETERS = {"start", "stop", "stat", "granularity", "aggregation",
                   "refresh", "resample"}
# Gnocchi's strtobool spellings, for refresh (measures are always fresh).
_BOOLEANS = {"true", "false", "yes", "no", "on", "off", "y", "n", "1", "0"}


def _range(query):
    start = query.get("start")
    stop = query.get("stop")
    start = None if start is None else timestamps.parse(start, "start")
    stop = None if stop is None else timestamps.parse(stop, "stop")
    if start is not None and stop is not None and stop <= start:
        raise ApiError(400, "stop must be later than start")
    return start, stop


def _seconds(query, name):
    """A duration parameter: seconds, or a string such as ``1 minute``;
    ``(seconds, nanoseconds)`` or ``(None, None)``."""
    raw = query.get(name)
    if raw is None:
        return None, None
    try:
        seconds = float(raw)
    except ValueError:
        try:
            seconds = archive_policy.parse_timespan(raw)
        except archive_policy.PolicyError:
            raise _argument_error(name, "Unable to parse timespan") from None
    # round() raises on NaN and infinities (1e300 seconds is one in ns).
    nanoseconds = round(seconds * 1e9) if math.isfinite(seconds * 1e9) else 0
    if not 1 <= nanoseconds < 2 ** 62:
        raise _argument_error(name, "Timespan must be positive")
    return seconds, nanoseconds


def _argument_error(name, reason):
    """Gnocchi's 400 for a query parameter: ``detail`` names it."""
    return ApiError(400, {"cause": "Argument value error", "reason": reason,
                          "detail": name}, parameter=name)


def _resampling(query):
    """``(granularity s, granularity ns, method, resample s, resample ns)``,
    Nones where not asked (a calendar ``resample`` is its letter, without
    ns); ``method`` is checked against the metric's policy, or by
    :func:`_raw_method` for a metric without one."""
    method = query.get("aggregation", "mean")
    if query.get("refresh", "false").lower() not in _BOOLEANS:
        raise ApiError(400, "refresh must be true or false",
                       parameter="refresh")
    granularity, granularity_ns = _seconds(query, "granularity")
    if query.get("resample") in aggregation.CALENDAR:
        resample, resample_ns = query["resample"], None
    else:
        resample, resample_ns = _seconds(query, "resample")
    if resample is not None and granularity is None:
        raise ApiError(400, "A granularity must be specified to resample",
                       parameter="resample")
    return granularity, granularity_ns, method, resample, resample_ns


def _resample(ts, values, resample, resample_ns, method):
    if resample_ns is None:
        return aggregation.resample_calendar(ts, values, resample, method)
    return aggregation.resample(ts, values, resample_ns, method)


def _raw_method(method):
    """The resampling method for a metric without policy, or a 400."""
    if not (aggregation.is_valid(method)
            or method in archive_policy.VALID_AGGREGATION_METHODS):
        raise ApiError(400, f"Unknown aggregation {method!r}; use one of "
                            f"{', '.join(aggregation.BASIC_METHODS)} or pNN",
                       parameter="aggregation")
    return archive_policy.aggregation_method(method)


class MeasuresController(rest.RestController):
    """Measures of one metric."""

    def __init__(self, metric_id):
        self.metric_id = metric_id

    @pecan.expose()
    def post(self):
        request = pecan.request
        body = read_json(request, request.conf.getint("api", "max_body_size"))
        limit = request.conf.getint("api", "max_measures_per_request")
        ts, values = parse_measures(body, limit)
        access.check_metric(request, self.metric_id)
        request.storage.add_measures({self.metric_id: (ts, values)})
        return empty_response(202)

    @pecan.expose()
    def get_all(self):
        request = pecan.request
        query = request.GET
        # One pass: getall() per key would be quadratic in the query size.
        duplicated = [k for k, n in collections.Counter(query.keys()).items()
                      if n > 1]
        if duplicated:
            raise ApiError(400, f"Parameter(s) given more than once: "
                                f"{', '.join(sorted(duplicated))}")
        query = dict(query)
        start, stop = _range(query)
        granularity, granularity_ns, method, resample, resample_ns = \
            _resampling(query)
        steps = statistic_calls.pipeline_from_query(
            query, _OWN_PARAMETERS,
            request.conf.getint("api", "max_pipeline_steps"))
        metric = access.get_metric(request, self.metric_id)
        policy = policies.policies_of(request.storage, [metric]).get(
            metric.get("archive_policy_name"))
        if policy is not None:
            groups = metric_series.policy_series(
                request.storage, metric, policy, granularity, method, start,
                stop)
        else:
            method = _raw_method(method)
            ts, values = request.storage.get_measures(self.metric_id, start,
                                                      stop)
            if granularity is not None:
                ts, values = aggregation.resample(ts, values, granularity_ns,
                                                  method)
            groups = [(granularity, ts, values)]
        if resample is not None:
            method = archive_policy.aggregation_method(method)
            groups = [(resample, *_resample(ts, values, resample,
                                            resample_ns, method))
                      for _, ts, values in groups]
        limit = request.conf.getint("api", "max_points_per_get")
        total = sum(len(ts) for _, ts, _ in groups)
        if total > limit:
            raise ApiError(400, f"{total} points in range exceed the limit "
                                f"of {limit}; narrow start/stop or coarsen "
                                f"granularity")
        if steps is not None:
            groups = [(g, *statistic_calls.run_pipeline(steps,
                                                        Series(ts, values)))
                      for g, ts, values in groups]
        return json_response(serialize.measures_groups(groups), encoded=True)
