"""The blob of an archive chunk (:func:`statsvc.storage.rollup.pack`): both
layouts round-trip, one method is read alone, chunks written by earlier
releases still read, damage is reported."""
import struct

import numpy as np
import pytest

from statsvc.storage import codec, rollup, series

METHODS = ["count", "mean", "p95", "rate:max"]
TS = (1_700_000_000 + 60 * np.arange(512)) * 10**9
VALUES = np.array([np.round(np.sin(np.arange(512) / (7.0 + i)), 1) + i
                   for i in range(len(METHODS))])


@pytest.mark.parametrize("compress", [False, True])
def test_pack_round_trips_and_reads_one_method(compress):
    blob = rollup.pack(METHODS, TS, VALUES, compress)
    methods, ts, values = rollup.unpack(blob)
    assert methods == METHODS
    np.testing.assert_array_equal(ts, TS)
    np.testing.assert_array_equal(values, VALUES)
    for i, method in enumerate(METHODS):
        ts, values = rollup.unpack_method(blob, method)
        np.testing.assert_array_equal(ts, TS)
        np.testing.assert_array_equal(values, VALUES[i])
    assert rollup.unpack_method(blob, "median") is None


def test_a_complete_chunk_is_smaller_than_a_changing_one():
    raw = rollup.pack(METHODS, TS, VALUES, False)
    packed = rollup.pack(METHODS, TS, VALUES, True)
    assert len(raw) >= VALUES.size * 16
    assert len(packed) < len(raw) / 10


def test_an_empty_chunk_round_trips():
    blob = rollup.pack(METHODS, TS[:0], VALUES[:, :0], True)
    methods, ts, values = rollup.unpack(blob)
    assert (methods, len(ts), values.shape) == (METHODS, 0, (4, 0))


def _previous_release_blob(methods, ts, values):
    """A compressed chunk as releases before per-method frames wrote it:
    the method names, then one frame of the buckets once per method."""
    out = [struct.pack("<H", len(methods))]
    for method in methods:
        out += [struct.pack("<H", len(method)), method.encode()]
    records = np.empty(values.size, dtype=series.RECORD)
    records["t"], records["v"] = np.tile(ts, len(methods)), values.ravel()
    return b"".join(out) + codec.encode(records, compress=True)


def test_chunks_of_the_previous_layout_still_read():
    blob = _previous_release_blob(METHODS, TS, VALUES)
    methods, ts, values = rollup.unpack(blob)
    assert methods == METHODS
    np.testing.assert_array_equal(values, VALUES)
    np.testing.assert_array_equal(rollup.unpack_method(blob, "p95")[1],
                                  VALUES[2])
    # Trimming rewrites it in the current layout.
    trimmed = rollup.trimmed(blob, TS[100])
    np.testing.assert_array_equal(rollup.unpack_method(trimmed, "p95")[1],
                                  VALUES[2][100:])


@pytest.mark.parametrize("damage", [
    lambda b: b[:-3],                       # truncated frame
    lambda b: b[:2] + b"\x00\x00" + b[4:],  # no method
    lambda b: b + b"\x00",                  # bytes after the frames
    lambda b: b[:5],                        # truncated names
])
def test_damaged_chunks_are_reported(damage):
    blob = rollup.pack(METHODS, TS, VALUES, True)
    with pytest.raises(codec.CorruptData):
        rollup.unpack(damage(blob))
