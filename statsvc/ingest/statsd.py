"""statsd messages aggregated as Gnocchi's statsd daemon does, with no
sockets and no HTTP (``statsvc-statsd`` carries them).

Between two flushes, per metric: a counter (``c``) sums its values, each
divided by its sampling rate (``|@0.1``); a gauge (``g``) and a timer
(``ms``) keep their last value (no ``+``/``-`` gauge deltas, no sets, as in
Gnocchi). Each kind is its own metric, named ``<name>|<type>``; a flush
yields one point per metric, stamped with the time of its last message, and
starts every metric afresh.
"""
KINDS = ("c", "g", "ms")


class MessageError(ValueError):
    """A statsd message that cannot be used; the daemon logs and skips it."""


def parse(datagram):
    """Yield ``(message, parsed or MessageError)`` for each message of a
    datagram (bytes, messages separated by newlines); ``parsed`` is
    ``(name, kind, value, sampling or None)``."""
    try:
        text = datagram.decode("utf-8")
    except UnicodeDecodeError as e:
        yield datagram, MessageError(f"not UTF-8: {e}")
        return
    for message in filter(None, text.split("\n")):
        try:
            yield message, _parse_message(message)
        except MessageError as e:
            yield message, e


def _parse_message(message):
    parts = message.split("|")
    if len(parts) not in (2, 3):
        raise MessageError("expected <name>:<value>|<type>[|@<rate>]")
    name, colon, value = parts[0].rpartition(":")
    kind = parts[1]
    if not colon or not name:
        raise MessageError("expected <name>:<value>")
    if kind not in KINDS:
        raise MessageError(f"unknown type {kind!r} (c, g and ms are kept)")
    if "/" in name:
        raise MessageError("'/' is not supported in metric names")
    try:
        number = float(value)
    except ValueError:
        raise MessageError(f"value {value!r} is not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise MessageError(f"value {value!r} is not finite")
    sampling = None
    if len(parts) == 3:
        if kind != "c":
            raise MessageError(f"a sampling rate is for counters, not "
                               f"{kind!r}")
        try:
            sampling = float(parts[2][1:]) if parts[2][:1] == "@" else None
        except ValueError:
            sampling = None
        if sampling is None or not 0 < sampling <= 1:
            raise MessageError(f"sampling {parts[2]!r} must be @<rate> with"
                               f" 0 < rate <= 1")
    return name, kind, number, sampling


class Aggregator:
    """The points of the current flush interval."""

    def __init__(self):
        self.points = {}  # metric name -> (ns of last message, value)

    def add(self, name, kind, value, sampling, now_ns):
        """Fold one parsed message in, received at ``now_ns``."""
        metric = f"{name}|{kind}"
        if kind == "c":
            previous = self.points.get(metric, (0, 0.0))[1]
            value = previous + value / (sampling or 1.0)
        self.points[metric] = (now_ns, value)

    def flush(self):
        """``{metric name: (ns, value)}`` of the interval; starts anew."""
        points, self.points = self.points, {}
        return points
