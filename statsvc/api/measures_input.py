"""Validation of posted measures into numpy arrays."""
import math

import numpy as np

from statsvc.api import timestamps
from statsvc.api.errors import ApiError


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
    ts = np.empty(len(body), dtype="int64")
    values = np.empty(len(body), dtype="float64")
    for i, item in enumerate(body):
        here = f"{where}[{i}]"
        if not isinstance(item, dict):
            raise ApiError(400, f"{here}: each measure must be an object with "
                                f"timestamp and value")
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
