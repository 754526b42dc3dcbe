"""Validation of posted measures into numpy arrays."""
import math

import numpy as np

from statsvc.api import timestamps
from statsvc.api.errors import ApiError

_NUMBER = {int, float}
# Epoch seconds that int64 nanoseconds can hold (years 1678-2262).
_MAX_SECONDS = 9.2e9


def parse_measures(body, limit, where="body"):
    """Turn ``[{"timestamp": ..., "value": ...}, ...]`` into two arrays.

    Returns ``(int64 ns timestamps, float64 values)``. Every problem is a
    400 that names the offending index; NaN and infinities are refused.
    """
    if not isinstance(body, list):
        raise ApiError(400, f"{where}: measures must be a JSON list of "
                            f'{{"timestamp": ..., "value": ...}} objects')
    if len(body) > limit:
        raise ApiError(400, f"{where}: {len(body)} measures exceed the limit "
                            f"of {limit} per request")
    return _parse_fast(body) or _parse_each(body, where)


def _parse_fast(body):
    """Vectorised path for the common case: numeric values and either all
    epoch-second or all string timestamps. ``None`` sends the batch to
    :func:`_parse_each`, which finds and names the first bad measure."""
    try:
        raw_ts = [m["timestamp"] for m in body]
        raw_values = [m["value"] for m in body]
    except (TypeError, KeyError):
        return None
    # Sets of exact types, built in C: bools are not numbers here.
    if not set(map(type, raw_values)) <= _NUMBER:
        return None  # bools, strings and nulls get a precise error
    values = np.array(raw_values, dtype="float64")
    if not np.isfinite(values).all():
        return None
    ts_types = set(map(type, raw_ts))
    if ts_types <= _NUMBER:
        seconds = np.array(raw_ts, dtype="float64")
        if not (np.abs(seconds) < _MAX_SECONDS).all():
            return None
        if ts_types <= {int}:
            return np.array(raw_ts, dtype="int64") * 1_000_000_000, values
        return np.round(seconds * 1e9).astype("int64"), values
    if ts_types <= {str}:
        try:
            ts = np.fromiter((timestamps.parse(t, "") for t in raw_ts),
                             dtype="int64", count=len(raw_ts))
        except ApiError:
            return None
        return ts, values
    return None


def _parse_each(body, where):
    ts = np.empty(len(body), dtype="int64")
    values = np.empty(len(body), dtype="float64")
    for i, item in enumerate(body):
        here = f"{where}[{i}]"
        if not isinstance(item, dict):
            # Gnocchi's shape and words, and where.
            raise ApiError(400, {"cause": "Invalid input",
                                 "reason": "unexpected measures format",
                                 "detail": [], "measure": here})
        if "timestamp" not in item or "value" not in item:
            raise ApiError(400, f"{here}: timestamp and value are required")
        value = item["value"]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ApiError(400, f"{here}.value: must be a number, got "
                                f"{value!r}")
        try:
            value = float(value)
        except OverflowError:  # an integer beyond float range
            value = math.inf
        if not math.isfinite(value):
            raise ApiError(400, f"{here}.value: must be finite")
        values[i] = value
        ts[i] = timestamps.parse(item["timestamp"], f"{here}.timestamp")
    return ts, values
