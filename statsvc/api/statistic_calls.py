"""Calling a statistic plugin from a request: find it, validate its
parameters, run it, and contain whatever a plugin does wrong."""
import logging

import pecan

from statsvc.api.errors import ApiError
from statsvc.statistics import ParameterError, as_series

LOG = logging.getLogger(__name__)


def from_query(query, own_parameters):
    """The plugin named by ``stat=`` and its validated parameters (every
    query parameter not in ``own_parameters``), or ``(None, None)``."""
    extra = {k: v for k, v in query.items() if k not in own_parameters}
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
    return plugin, validate(name, plugin, extra)


def validate(name, plugin, params):
    """``plugin.validate(params)``, a 400 naming the parameter when it is
    wrong and a 500 naming the plugin when validate itself is broken."""
    try:
        return plugin.validate(params)
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


def run(name, plugin, series, params):
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
