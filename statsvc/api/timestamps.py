"""Timestamp parsing: ISO 8601 or epoch seconds to int nanoseconds."""
import datetime

from statsvc.api.errors import ApiError

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
_NS_PER_S = 1_000_000_000
# Bounds that datetime64[ns] can represent (years 1678-2262).
_MIN_NS = -(2 ** 63) + 1
_MAX_NS = 2 ** 63 - 1


def parse(value, where):
    """Return int ns since the epoch for an ISO 8601 string or epoch seconds.

    Naive ISO 8601 times are taken as UTC. ``where`` names the offending
    field in the 400 error.
    """
    if isinstance(value, bool):
        raise ApiError(400, f"{where}: timestamp must be ISO 8601 or epoch "
                            f"seconds, got {value!r}")
    if isinstance(value, (int, float)):
        seconds = value
    elif isinstance(value, str):
        try:
            seconds = float(value)
        except ValueError:
            seconds = None
        if seconds is None:
            return _parse_iso(value, where)
    else:
        raise ApiError(400, f"{where}: timestamp must be ISO 8601 or epoch "
                            f"seconds, got {value!r}")
    if seconds != seconds or not -9.2e9 < seconds < 9.2e9:
        raise ApiError(400, f"{where}: timestamp {value!r} is out of range")
    if isinstance(seconds, int):
        return seconds * _NS_PER_S
    return round(seconds * _NS_PER_S)


def _parse_iso(text, where):
    try:
        dt = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise ApiError(400, f"{where}: {text!r} is not an ISO 8601 timestamp "
                            f"or epoch seconds")
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=datetime.timezone.utc)
    delta = dt - _EPOCH
    ns = (delta.days * 86400 + delta.seconds) * _NS_PER_S \
        + delta.microseconds * 1000
    if not _MIN_NS <= ns <= _MAX_NS:
        raise ApiError(400, f"{where}: timestamp {text!r} is out of range")
    return ns

