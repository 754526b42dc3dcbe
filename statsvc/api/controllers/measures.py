"""``/v1/metric/<id>/measures``: add points, read them, compute statistics."""
import collections
import logging
import math

import pecan
from pecan import rest

from statsvc import aggregation
from statsvc.api import access
from statsvc.api import serialize
from statsvc.api.body import read_json
from statsvc.api.errors import ApiError
from statsvc.api.measures_input import parse_measures
from statsvc.api.responses import empty_response, json_response
from statsvc.api import timestamps
from statsvc.statistics import ParameterError, Series, as_series

LOG = logging.getLogger(__name__)

# Query parameters of GET measures itself; the rest belong to the statistic.
_OWN_PARAMETERS = {"start", "stop", "stat", "granularity", "aggregation"}


def _range(query):
    start = query.get("start")
    stop = query.get("stop")
    start = None if start is None else timestamps.parse(start, "start")
    stop = None if stop is None else timestamps.parse(stop, "stop")
    if start is not None and stop is not None and stop <= start:
        raise ApiError(400, "stop must be later than start")
    return start, stop


def _resampling(query):
    """``(granularity in seconds, granularity in ns, method)`` or Nones."""
    method = query.get("aggregation", "mean")
    if not aggregation.is_valid(method):
        raise ApiError(400, f"Unknown aggregation {method!r}; use one of "
                            f"{', '.join(aggregation.BASIC_METHODS)} or pNN",
                       parameter="aggregation")
    raw = query.get("granularity")
    if raw is None:
        return None, None, method
    try:
        seconds = float(raw)
    except ValueError:
        seconds = math.nan
    # round() raises on NaN and infinities (1e300 seconds is one in ns).
    nanoseconds = round(seconds * 1e9) if math.isfinite(seconds * 1e9) else 0
    if not 1 <= nanoseconds < 2 ** 62:
        raise ApiError(400, f"granularity must be a positive number of "
                            f"seconds, got {raw!r}", parameter="granularity")
    return seconds, nanoseconds, method


def _statistic(query):
    """The requested plugin and its validated parameters, or ``(None, None)``."""
    extra = {k: v for k, v in query.items() if k not in _OWN_PARAMETERS}
    name = query.get("stat")
    if name is None:
        if extra:
            raise ApiError(400, f"Unknown parameter(s) {', '.join(sorted(extra))}"
                                f"; statistic parameters need stat=<name>")
        return None, None
    registry = pecan.request.statistics
    if name in registry.failed:
        # Installed but broken: the server's fault, not the query's.
        raise ApiError(500, f"Statistic {name!r} failed to load: "
                            f"{registry.failed[name]['error']}",
                       parameter="stat")
    if name not in registry:
        raise ApiError(400, f"Unknown statistic {name!r}; available: "
                            f"{', '.join(registry.names()) or 'none'}",
                       parameter="stat")
    plugin = registry[name]
    try:
        return plugin, plugin.validate(extra)
    except ParameterError as e:
        raise ApiError(400, f"Statistic {name!r}: {e}",
                       parameter=e.parameter)
    except _PLUGIN_FAULTS as e:
        raise _plugin_fault(name, "raised in validate", e)


# What a plugin bug may raise; SystemExit too, so that a stray sys.exit()
# in a plugin cannot end the worker.
_PLUGIN_FAULTS = (Exception, SystemExit)


def _plugin_fault(name, what, exc):
    """Log a plugin bug once, with its traceback; return the JSON 500 that
    names the plugin."""
    LOG.error("statistic %s %s", name, what, exc_info=exc)
    description = f"Statistic {name!r} {what}: {type(exc).__name__}: {exc}"
    pecan.request.statistics.record_runtime_error(name, description)
    return ApiError(500, description, statistic=name)


def _run_statistic(name, plugin, series, params):
    """Run a plugin's ``compute``, containing whatever it does wrong.

    A ``ParameterError`` is the query's fault: 400. Anything else it raises,
    or a result that is not a :class:`Series` of two 1-D arrays of equal
    length, is a plugin bug: a JSON 500 naming the plugin; the worker
    carries on.
    """
    try:
        result = plugin.compute(series, **params)
    except ParameterError as e:
        raise ApiError(400, f"Statistic {name!r}: {e}", parameter=e.parameter)
    except _PLUGIN_FAULTS as e:
        raise _plugin_fault(name, "raised in compute", e)
    try:
        ts, values = as_series(result)
    except _PLUGIN_FAULTS as e:
        raise _plugin_fault(name, "returned an invalid result", e)
    return ts, values


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
        granularity, granularity_ns, method = _resampling(query)
        plugin, params = _statistic(query)
        access.check_metric(request, self.metric_id)
        ts, values = request.storage.get_measures(self.metric_id, start, stop)
        if granularity is not None:
            ts, values = aggregation.resample(ts, values, granularity_ns,
                                              method)
        limit = request.conf.getint("api", "max_points_per_get")
        if len(ts) > limit:
            raise ApiError(400, f"{len(ts)} points in range exceed the limit "
                                f"of {limit}; narrow start/stop or coarsen "
                                f"granularity")
        if plugin is not None:
            ts, values = _run_statistic(query["stat"], plugin,
                                        Series(ts, values), params)
        return json_response(serialize.measures(ts, values, granularity),
                             encoded=True)
