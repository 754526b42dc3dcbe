"""Gnocchi 4.x's mapping of foreign series onto resources and metrics.

The result of both mappings is ``{original resource id: {metric name:
(int64 ns timestamps, float64 values)}}``, ready for the API to find or
create the resources and metrics and store the points in one batch.
"""
import collections

import numpy as np

from statsvc import resources

# Gnocchi's limit on metric names (statsvc.api.metrics keeps the same).
MAX_NAME = 255


class MappingError(ValueError):
    """A point that cannot be mapped; ``line`` is its 1-based line number
    where the protocol has lines, else ``None``."""

    def __init__(self, reason, line=None):
        super().__init__(reason if line is None else f"line {line}: {reason}")
        self.line = line
        self.reason = reason


def influx_series(points, resource_tag="host"):
    """Map parsed line-protocol points (from
    :func:`statsvc.ingest.line_protocol.parse`) as Gnocchi does.

    The tag ``resource_tag`` names the resource; each numeric field is the
    metric ``<measurement>.<field>[@<tag>=<value>,...]`` (the other tags,
    sorted by key), with ``/`` replaced by ``_``.

    :raises MappingError: naming the line of the first point that has no
        ``resource_tag`` or gives a name too long or an invalid resource id.
    """
    grouped = collections.defaultdict(dict)
    checked = set()
    names = {}  # (measurement and other tags, field) -> metric name
    for number, measurement, tags, fields, stamp in points:
        try:
            resource = tags.pop(resource_tag)
        except KeyError:
            raise MappingError(f"no tag {resource_tag!r} to name the "
                               f"resource", number) from None
        if resource not in checked:
            _check_resource_id(resource, number)
            checked.add(resource)
        series = (measurement, *sorted(tags.items()))
        by_name = grouped[resource]
        for field, value in fields.items():
            name = names.get((series, field))
            if name is None:
                name = names[series, field] = _influx_name(series, field,
                                                           number)
            columns = by_name.get(name)
            if columns is None:
                columns = by_name[name] = ([], [])
            columns[0].append(stamp)
            columns[1].append(value)
    return {resource: {name: (np.array(stamps, dtype="int64"),
                              np.array(values, dtype="float64"))
                       for name, (stamps, values) in by_name.items()}
            for resource, by_name in grouped.items()}


def _influx_name(series, field, line):
    """``<measurement>.<field>[@<tag>=<value>,...]`` with ``/`` as ``_``."""
    measurement, *tags = series
    suffix = ",".join(f"{k}={v}" for k, v in tags)
    name = f"{measurement}.{field}{'@' if tags else ''}{suffix}"
    return _checked_name(name.replace("/", "_"), line)


def _checked_name(name, line=None):
    if len(name) > MAX_NAME:
        raise MappingError(f"metric name {name[:40]!r}... is longer than "
                           f"{MAX_NAME} characters", line)
    return name


def prometheus_series(timeseries):
    """Map remote_write series (``[(labels dict, timestamps ms, values)]``)
    as Gnocchi does: one resource per ``job`` and ``instance`` (original id
    ``<job>@<instance>``, ``none`` for a missing label), and one metric per
    ``__name__`` and the other labels, named like line protocol's
    ``<name>[@<label>=<value>,...]`` (Gnocchi keeps ``__name__`` alone, so
    series differing only in labels overwrite each other there).

    Non-finite samples (Prometheus' staleness markers, infinities) are
    dropped: a stored value is a finite number.

    Returns ``(series by resource, {original id: {"job", "instance"}})``.

    :raises MappingError: for a series without ``__name__``.
    """
    grouped = collections.defaultdict(dict)
    attributes = {}
    for labels, stamps_ms, values in timeseries:
        labels = dict(labels)
        name = labels.pop("__name__", None)
        if not name:
            raise MappingError("a series has no __name__ label")
        job = labels.pop("job", "none")
        instance = labels.pop("instance", "none")
        resource = f"{job}@{instance}"
        if resource not in attributes:
            _check_resource_id(resource)
            attributes[resource] = {"job": job, "instance": instance}
        if labels:
            name += "@" + ",".join(f"{k}={labels[k]}" for k in sorted(labels))
        name = _checked_name(name.replace("/", "_"))
        stamps = np.asarray(stamps_ms, dtype="int64") * 1_000_000
        values = np.asarray(values, dtype="float64")
        finite = np.isfinite(values)
        if finite.any():
            grouped[resource][name] = _merge(
                grouped[resource].get(name), stamps[finite], values[finite])
    return dict(grouped), {r: attributes[r] for r in grouped}


def _check_resource_id(resource, line=None):
    try:
        resources.resource_uuid(resource, None)
    except resources.ResourceError as e:
        raise MappingError(f"resource id {resource[:40]!r}: {e}",
                           line) from None


def _merge(current, stamps, values):
    """Two series sent under one name are one series (later points win at
    equal timestamps, as storage keeps the last)."""
    if current is None:
        return stamps, values
    return (np.concatenate([current[0], stamps]),
            np.concatenate([current[1], values]))
