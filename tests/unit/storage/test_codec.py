"""The stored byte form of series: round trips, concatenation, damage."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from statsvc.storage import codec
from statsvc.storage.series import RECORD

INT64 = np.iinfo(np.int64)


def records(ts, values):
    out = np.empty(len(ts), dtype=RECORD)
    out["t"], out["v"] = ts, values
    return out


def assert_same(got, expected):
    # Bit for bit: NaN payloads and -0.0 must survive too.
    assert got.dtype == RECORD
    assert got.tobytes() == np.asarray(expected, dtype=RECORD).tobytes()


@st.composite
def series(draw, min_size=0, max_size=300):
    ts = draw(st.lists(st.integers(INT64.min, INT64.max), min_size=min_size,
                       max_size=max_size, unique=True))
    values = draw(hnp.arrays(np.float64, len(ts), elements=st.floats(
        allow_nan=True, allow_infinity=True, allow_subnormal=True)))
    return records(sorted(ts), values)


@settings(max_examples=300, deadline=None)
@given(series(), st.booleans())
def test_round_trip_is_exact(data, compress):
    assert_same(codec.decode(codec.encode(data, compress)), data)


@settings(max_examples=100, deadline=None)
@given(st.lists(series(max_size=60), max_size=5), st.lists(st.booleans()))
def test_concatenated_frames_decode_to_the_concatenation(parts, compress):
    frames = [codec.encode(p, c) for p, c in zip(parts, compress + [True] * 5)]
    expected = np.concatenate(parts) if parts else records([], [])
    assert_same(codec.decode(b"".join(frames)), expected)
    assert_same(codec.decode(codec.compact(b"".join(frames))), expected)


@pytest.mark.parametrize("values", [
    [np.nan, np.inf, -np.inf, -0.0, 0.0, 5e-324, -1.7976931348623157e308],
    [float.fromhex("0x1.8p+1")] * 7,
])
def test_special_floats_survive_compression(values):
    n = len(values)
    data = records(np.arange(n) * 10**9, values)
    data = np.concatenate([data] * 10)
    data["t"] = np.arange(len(data)) * 10**9
    assert_same(codec.decode(codec.encode(data)), data)


def test_before_1970_and_huge_gaps():
    ts = [INT64.min, -10**18, -1, 0, 1, 10**18, INT64.max]
    data = records(ts * 1, np.linspace(-3, 3, len(ts)))
    for compress in (False, True):
        assert_same(codec.decode(codec.encode(data, compress)), data)
    big = records(-10**18 + np.arange(5000) * 10**9, np.zeros(5000))
    assert_same(codec.decode(codec.encode(big)), big)


def test_empty_and_single_point():
    assert codec.encode(records([], [])) == b""
    assert_same(codec.decode(b""), records([], []))
    one = records([-5], [1.5])
    assert_same(codec.decode(codec.encode(one)), one)


def test_regular_one_decimal_series_compresses_below_one_byte_a_point():
    rng = np.random.default_rng(0)
    n = 8640
    data = records(1_700_000_000 * 10**9 + np.arange(n) * 10 * 10**9,
                   np.round(30 + np.cumsum(rng.normal(0, 0.5, n)) / 10, 1))
    frame = codec.encode(data)
    assert len(frame) / n < 1.0
    assert codec.sealed(frame)
    assert not codec.sealed(codec.encode(data, compress=False))


def test_compact_compresses_raw_frames_and_keeps_compressed_ones():
    a = records(np.arange(100), np.arange(100.0))
    b = records(np.arange(100, 200), np.arange(100.0))
    packed_a = codec.encode(a)
    data = codec.compact(packed_a + codec.encode(b, False))
    assert data.startswith(packed_a)
    assert len(data) < len(packed_a) + b.nbytes
    assert_same(codec.decode(data), np.concatenate([a, b]))


def test_seal_makes_small_frames_one_and_keeps_large_ones():
    data = records(np.arange(10_000) * 10**9, np.arange(10_000) / 10)
    small = b"".join(codec.encode(data[i:i + 100], i % 200 == 0)
                     for i in range(0, 10_000, 100))
    one = codec.seal(small)
    assert_same(codec.decode(one), data)
    assert one == codec.encode(data)
    large = codec.encode(data[:5000]) + codec.encode(data[5000:9000])
    tail = codec.encode(data[9000:], compress=False)
    sealed = codec.seal(large + tail)
    assert sealed.startswith(large) and codec.sealed(sealed)
    assert_same(codec.decode(sealed), data)
    assert codec.seal(sealed) == sealed


@pytest.mark.parametrize("compress", [False, True])
def test_any_damaged_byte_is_an_error_not_wrong_points(compress):
    data = records(np.arange(64) * 10**9, np.arange(64) / 10)
    frame = codec.encode(data, compress)
    for at in range(len(frame)):
        damaged = bytearray(frame)
        damaged[at] ^= 0x41
        with pytest.raises(codec.CorruptData):
            codec.decode(bytes(damaged))
    with pytest.raises(codec.CorruptData):
        codec.decode(frame[:-1])
    with pytest.raises(codec.CorruptData):
        codec.decode(frame + frame[:5])


def test_corrupt_data_is_a_value_error():
    assert issubclass(codec.CorruptData, ValueError)


def test_legacy_records_decode_and_partial_ones_are_refused():
    data = records([1, 2], [1.5, 2.5])
    assert_same(codec.decode_legacy(data.tobytes()), data)
    with pytest.raises(codec.CorruptData):
        codec.decode_legacy(data.tobytes()[:-1])


def test_damage_copied_by_compact_or_seal_is_still_found():
    data = records(np.arange(5000) * 10**9, np.arange(5000) / 10)
    frame = bytearray(codec.encode(data))
    frame[len(frame) // 2] ^= 0x41
    tail = codec.encode(records([10**13], [1.0]), compress=False)
    for rewrite in (codec.compact, codec.seal):
        with pytest.raises(codec.CorruptData):
            codec.decode(rewrite(bytes(frame) + tail))
