"""Calling a statistic plugin from a request: find it, validate its
parameters, run it, and contain whatever a plugin does wrong; and
pipelines of them (``stat=moving-average(window=10),zscore(window=5)``)."""
import collections
import logging
import re

import pecan

from statsvc.api.errors import ApiError
from statsvc.statistics import ParameterError, Series, as_series

LOG = logging.getLogger(__name__)


def _no_statistic(extra):
    """The 400 for statistic parameters given without ``stat=``."""
    return ApiError(400, f"Unknown parameter(s) {', '.join(sorted(extra))}"
                         f"; statistic parameters need stat=<name>")


def from_query(query, own_parameters):
    """The plugin named by ``stat=`` and its validated parameters (every
    query parameter not in ``own_parameters``), or ``(None, None)``."""
    extra = {k: v for k, v in query.items() if k not in own_parameters}
    name = query.get("stat")
    if name is None:
        if extra:
            raise _no_statistic(extra)
        return None, None
    plugin = lookup(name)
    return plugin, validate(name, plugin, extra)


def lookup(name):
    """The loaded plugin ``name``: a 400 if there is none, a 500 or 501 if
    it is installed but not loaded (:meth:`StatisticsRegistry.unusable`)."""
    registry = pecan.request.statistics
    unusable = registry.unusable(name, parameter="stat")
    if unusable is not None:
        raise unusable
    if name not in registry:
        raise ApiError(400, f"Unknown statistic {name!r}; available: "
                            f"{', '.join(registry.names()) or 'none'}",
                       parameter="stat")
    return registry[name]


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


#: One validated step of a pipeline.
Step = collections.namedtuple("Step", ["name", "plugin", "params"])

# name, then its parameters in parentheses (optional), then "," or the end.
_STEP = re.compile(r"\s*(?P<name>[^\s(),=]+)\s*"
                   r"(?:\((?P<params>[^()]*)\)\s*)?(?P<end>,|$)")


def _split_steps(text, max_steps):
    """``[(name, {param: value} or None)]`` from the ``stat`` value; a 400
    as soon as it has more than ``max_steps``."""
    steps, position = [], 0
    while True:
        if len(steps) == max_steps:
            raise ApiError(400, f"stat: more than {max_steps} steps (the"
                                f" limit)", parameter="stat")
        match = _STEP.match(text, position)
        if match is None:
            raise ApiError(400, f"stat: cannot read a statistic at character"
                                f" {position + 1} of {text!r}; write"
                                f" name(param=value,...),name(...)",
                           parameter="stat")
        params = match["params"]
        if params is not None:
            params = _step_parameters(match["name"], len(steps) + 1, params)
        steps.append((match["name"], params))
        position = match.end()
        if not match["end"]:
            return steps


def _step_parameters(name, index, text):
    """``{param: value}`` from the text inside a step's parentheses."""
    params = {}
    for item in filter(str.strip, text.split(",")):
        key, equals, value = item.partition("=")
        key = key.strip()
        if not equals or not key:
            raise ApiError(400, f"stat: step {index} ({name}): {item.strip()!r}"
                                f" is not param=value", parameter="stat",
                           step=index)
        if key in params:
            raise ApiError(400, f"stat: step {index} ({name}): parameter"
                                f" {key!r} given twice", parameter=key,
                           step=index)
        params[key] = value.strip()
    return params


def pipeline_from_query(query, own_parameters, max_steps):
    """The validated steps of ``stat=`` (a list of :class:`Step`), or None.

    ``stat`` names one statistic or several separated by commas, run in
    order, each on the previous one's result; a step's parameters are in
    parentheses after its name: ``moving-average(window=10),zscore(window=5)``.
    One statistic may take its parameters from the query string instead
    (``stat=zscore&window=10``, every parameter not in ``own_parameters``),
    never both.  Every step is looked up and validated before any runs;
    more than ``max_steps`` steps is a 400.
    """
    extra = {k: v for k, v in query.items() if k not in own_parameters}
    text = query.get("stat")
    if text is None:
        if extra:
            raise _no_statistic(extra)
        return None
    steps = _split_steps(text, max_steps)
    if extra and (len(steps) > 1 or steps[0][1] is not None):
        raise ApiError(400, f"Parameter(s) {', '.join(sorted(extra))} outside"
                            f" the steps of stat: give each step's"
                            f" parameters in its parentheses,"
                            f" name(param=value,...)", parameter="stat")
    validated = []
    for index, (name, params) in enumerate(steps, 1):
        try:
            plugin = lookup(name)
            params = validate(name, plugin, extra if params is None
                              else params)
        except ApiError as e:
            if len(steps) > 1:
                e.details["step"] = index
            raise
        validated.append(Step(name, plugin, params))
    return validated


def run_pipeline(steps, series):
    """Run ``steps`` (from :func:`pipeline_from_query`) in order on
    ``series``: ``(timestamps, values)`` of the last one."""
    for step in steps:
        series = Series(*run(step.name, step.plugin, series, step.params))
    return series
