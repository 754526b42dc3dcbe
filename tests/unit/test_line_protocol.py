"""Line protocol written by a real client's encoder (influxdb-client's
``Point``) parses back to the same names, tags and values, and maps to
Gnocchi's metric names."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statsvc.ingest import line_protocol, mapping

influxdb_client = pytest.importorskip(
    "influxdb_client", reason="influxdb-client (the test extra) is missing")

# Names with the characters line protocol escapes (space, comma, equals,
# backslash, quote); no newlines or other control characters, which it
# cannot carry, and no leading '#' (a comment line).
NAME = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")),
               min_size=1, max_size=12).filter(
    lambda s: not s.startswith("#") and s.strip() == s and "\\" not in s)
# Subnormal floats (below 2.2e-308) are refused by line_protocol_parser
# (a 400 naming the line): test_subnormal_floats_are_a_clear_error.
VALUE = st.one_of(st.floats(allow_nan=False, allow_infinity=False,
                            allow_subnormal=False),
                  st.integers(-2**63, 2**63 - 1), st.booleans())


@settings(max_examples=200, deadline=None)
@given(measurement=NAME, tags=st.dictionaries(NAME, NAME, max_size=3),
       fields=st.dictionaries(NAME, VALUE, min_size=1, max_size=3),
       stamp=st.integers(0, 2**62))
def test_a_clients_lines_parse_back(measurement, tags, fields, stamp):
    point = influxdb_client.Point(measurement).time(stamp)
    for key, value in tags.items():
        point.tag(key, value)
    for key, value in fields.items():
        point.field(key, value)
    line = point.to_line_protocol()
    (number, got_measurement, got_tags, got_fields, got_stamp), = \
        line_protocol.parse(line.encode())
    assert (number, got_measurement, got_tags, got_stamp) == \
        (1, measurement, tags, stamp)
    assert got_fields == {k: float(v) for k, v in fields.items()}


def test_subnormal_floats_are_a_clear_error():
    with pytest.raises(line_protocol.LineError, match="line 2: Failed to "
                       "parse type of field value"):
        list(line_protocol.parse(b"m v=1\nm v=5e-324"))


def test_precision_and_the_clock():
    body = b"a v=1 2\nb v=2\n\n# comment\nc v=3 -1\r\n"
    assert [(m, t) for _, m, _, _, t in line_protocol.parse(
        body, "ms", now_ns=99)] == [("a", 2_000_000), ("b", 99),
                                    ("c", -1_000_000)]


def test_strings_are_dropped_and_names_follow_gnocchi():
    series = mapping.influx_series(line_protocol.parse(
        b'cpu,host=h,z=1,a=x/y v=1i,s="text",ok=t 10'))
    assert list(series) == ["h"]
    names = {name: (list(ts), list(vs))
             for name, (ts, vs) in series["h"].items()}
    assert names == {"cpu.v@a=x_y,z=1": ([10], [1.0]),
                     "cpu.ok@a=x_y,z=1": ([10], [1.0])}
