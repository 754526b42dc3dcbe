"""The measures JSON: orjson's arrays spliced into Gnocchi's rows."""
import datetime
import itertools
import json
import math

import numpy as np
import orjson
import pytest
from hypothesis import given, settings, strategies as st

from statsvc.api import _triples, serialize


def reference(ts_ns, values, granularity):
    """The rows built one by one in Python, encoded by orjson."""
    epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    rows = [[(epoch + datetime.timedelta(microseconds=int(t) // 1000))
             .isoformat(), granularity,
             float(v) if math.isfinite(v) else None]
            for t, v in zip(ts_ns, values)]
    return orjson.dumps(rows)


@settings(max_examples=200, deadline=None)
@given(points=st.lists(st.tuples(
           st.integers(-2 * 10 ** 18, 4 * 10 ** 18).map(lambda t: t // 1000
                                                        * 1000),
           st.floats(allow_nan=True, allow_infinity=True) | st.just(-0.0)),
           max_size=50),
       granularity=st.sampled_from([None, 60.0, 0.5, 86400.0]))
def test_same_bytes_as_rows_built_in_python(points, granularity):
    ts = np.array([t for t, _ in points], dtype=np.int64)
    values = np.array([v for _, v in points], dtype=np.float64)
    assert serialize.measures(ts, values, granularity) == reference(
        ts, values, granularity)


def test_shapes_and_edges():
    ts = np.array([0, 1_500_000_000_123_456_000, 1_500_000_060_000_000_000])
    values = np.array([1.5, math.nan, -math.inf])
    assert json.loads(serialize.measures(ts, values, 60.0)) == [
        ["1970-01-01T00:00:00+00:00", 60.0, 1.5],
        ["2017-07-14T02:40:00.123456+00:00", 60.0, None],
        ["2017-07-14T02:41:00+00:00", 60.0, None]]
    assert serialize.measures(ts[:0], values[:0]) == b"[]"
    assert serialize.measures(ts[:1], values[:1]) == (
        b'[["1970-01-01T00:00:00+00:00",null,1.5]]')
    # Strided and non-float64 inputs are taken as they would be as lists.
    assert serialize.measures(ts[::2], values[::2].astype(np.float32)) == (
        reference(ts[::2], values[::2], None))


def test_groups_follow_each_other():
    ts = np.array([0, 60 * 10 ** 9])
    groups = [(300.0, ts[:1], np.array([1.0])), (60.0, ts[:0], ts[:0]),
              (60.0, ts, np.array([2.0, 3.0]))]
    assert json.loads(serialize.measures_groups(groups)) == [
        ["1970-01-01T00:00:00+00:00", 300.0, 1.0],
        ["1970-01-01T00:00:00+00:00", 60.0, 2.0],
        ["1970-01-01T00:01:00+00:00", 60.0, 3.0]]


@pytest.mark.parametrize("stamps, values", [
    (b'["a","b"]', b"[1]"), (b"[]", b"[1]"), (b'"a"', b"1"), (b"[", b"["),
    (b"", b"[]"), (b"[1]", b"{1}")])
def test_splice_refuses_what_is_not_two_arrays_of_a_length(stamps, values):
    with pytest.raises(ValueError):
        _triples.splice(stamps, values, b"null")


def test_splice_of_long_arrays():
    stamps = orjson.dumps([str(i) for i in range(10_000)])
    values = orjson.dumps(list(range(10_000)))
    rows = list(zip(map(str, range(10_000)), itertools.repeat(None),
                    range(10_000)))
    assert _triples.splice(stamps, values, b"null") == orjson.dumps(rows)
