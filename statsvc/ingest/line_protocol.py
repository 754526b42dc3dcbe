"""InfluxDB line protocol, parsed all or nothing.

Each line is parsed by ``line_protocol_parser`` (a maintained C parser
that handles escaping, quoting and the field types); this module adds what
a write needs around it: line numbers, precision, the request's clock for
lines without a timestamp, and field values as floats.
"""
import line_protocol_parser

# Nanoseconds per unit of each ``precision`` InfluxDB 1.x and 2.x accept.
PRECISIONS = {"n": 1, "ns": 1, "u": 1_000, "us": 1_000, "µ": 1_000,
              "ms": 1_000_000, "s": 1_000_000_000,
              "m": 60_000_000_000, "h": 3_600_000_000_000}

_INT64 = 2**63


class LineError(ValueError):
    """Line ``line`` (1-based) is malformed: ``reason`` says how."""

    def __init__(self, line, reason):
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


def parse(body, precision="ns", now_ns=0):
    """Yield ``(line number, measurement, tags, {field: float}, ns)`` for
    each point line of ``body`` (bytes).

    Blank lines and ``#`` comments are skipped. Integer (``i``, ``u``),
    float and boolean (1.0 / 0.0) fields are kept; string fields are
    dropped, as Gnocchi drops them. A line without a timestamp takes
    ``now_ns``.

    :raises LineError: for the first malformed line; callers consume the
        whole generator before storing anything.
    :raises KeyError: for an unknown ``precision``.
    """
    factor = PRECISIONS[precision]
    for number, raw in enumerate(body.split(b"\n"), 1):
        line = raw.rstrip(b"\r")
        if not line.strip() or line.lstrip().startswith(b"#"):
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as e:
            raise LineError(number, f"not UTF-8 at byte {e.start}") from None
        try:
            point = line_protocol_parser.parse_line(text)
        except line_protocol_parser.LineFormatError as e:
            raise LineError(number, str(e).rstrip(".")) from None
        stamp = point["time"]
        if stamp is None:
            stamp = now_ns
        else:
            stamp *= factor
            if not -_INT64 <= stamp < _INT64:
                raise LineError(number, "timestamp out of range")
        yield (number, point["measurement"], point["tags"],
               _numeric(point["fields"]), stamp)


def _numeric(fields):
    """The numeric fields as floats (booleans as 1.0 / 0.0)."""
    return {key: float(value) for key, value in fields.items()
            if not isinstance(value, str)}
