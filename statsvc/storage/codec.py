"""The stored byte form of ``(int64 ns, float64)`` records: frames.

A frame is a 20-byte little-endian header followed by its payload::

    magic b"SF", codec (1 byte), reserved (0), point count (uint32),
    timestamp part length (uint32), value part length (uint32),
    CRC-32 of the header's first 16 bytes and the payload (uint32)

Codec ``RAW`` stores the :data:`.series.RECORD` bytes as they are (the
timestamp part; no value part): cheap to write, for small appends. Codec
``PCO`` stores each column compressed by pcodec, which picks a delta order
for the timestamps (regular intervals cost almost nothing) and a float mode
for the values (e.g. multiples of 0.1 become small integers): 0.68 byte per
point on a 10 s series of one-decimal values, 7 on float64 white noise
(``bench/RESULTS_storage.md``).

Frames are self-delimiting, so frames of ordered, disjoint time ranges
concatenate byte-wise into valid stored data: drivers append without
decoding, and recompress (:func:`compact`, :func:`seal`) where it pays. The CRC makes damaged data an error,
never wrong points.
"""
import struct
import zlib

import numpy as np
import pcodec

from statsvc.storage.series import RECORD

RAW, PCO = 0, 1

_HEADER = struct.Struct("<2sBBIIII")
_CHECKED = _HEADER.size - 4  # the header bytes the CRC covers
_MAGIC = b"SF"
_CONFIG = pcodec.ChunkConfig()
# Below this many points compressing takes longer (~10 us a call) than the
# bytes it saves are worth.
_MIN_PCO_POINTS = 16
# Frames averaging this many points are not worth merging when sealing (cpu
# series of bench/series_data.py: 0.83 B/pt in 1,024-point frames, 0.72 in
# 4,096, 0.65 in one of 86,400), which would compress every point again.
_SEALED_MEAN_POINTS = 2048


class CorruptData(ValueError):
    """Stored bytes that are not valid frames."""


def encode(records, compress=True):
    """Return sorted :data:`.series.RECORD` records as one frame (``b""``
    for none); ``compress=False`` writes a ``RAW`` frame, and so does a
    compression that would not be smaller."""
    n = len(records)
    if not n:
        return b""
    records = np.ascontiguousarray(records, dtype=RECORD)
    if compress and n >= _MIN_PCO_POINTS:
        t = pcodec.standalone.simple_compress(
            np.ascontiguousarray(records["t"]), _CONFIG)
        v = pcodec.standalone.simple_compress(
            np.ascontiguousarray(records["v"]), _CONFIG)
        if len(t) + len(v) < records.nbytes:
            return _frame(PCO, n, t, v)
    return _frame(RAW, n, records.tobytes(), b"")


def decode(data):
    """Return the records of ``data``, any number of concatenated frames.

    :raises CorruptData: if ``data`` is not a sequence of valid frames.
    """
    frames = list(_frames(data))
    out = np.empty(sum(f[1] for f in frames), dtype=RECORD)
    at = 0
    for codec, n, t, v, _ in frames:
        part = out[at:at + n]
        if codec == RAW:
            part[...] = np.frombuffer(t, dtype=RECORD)
        else:
            part["t"] = _decompress(t, np.int64, n)
            part["v"] = _decompress(v, np.float64, n)
        at += n
    return out


def decode_legacy(data):
    """Return the records of data stored before frames: raw records.

    :raises CorruptData: if its length is not a whole number of records.
    """
    if len(data) % RECORD.itemsize:
        raise CorruptData("stored records have a partial record")
    return np.frombuffer(data, dtype=RECORD)


def compact(data, compress=True):
    """Make every run of ``RAW`` frames of ``data`` one frame, compressed
    unless ``compress`` is false; ``PCO`` frames are kept byte for byte
    (each point is compressed once, not at every rewrite of its fragment).
    Fewer frames also make decoding faster: each costs a few microseconds.
    """
    out, run = [], []
    # PCO frames are copied as they are, checksum included: not checking it
    # here (a second pass over the data at every fold) cannot hide damage.
    for codec, n, t, v, frame in _frames(data, verify=(RAW,)):
        if codec == RAW:
            run.append(t)
            continue
        if run:
            out.append(encode(_records(run), compress))
            run = []
        out.append(frame)
    if run:
        out.append(encode(_records(run), compress))
    return b"".join(out)


def seal(data):
    """Return ``data`` (concatenated frames) in its final form, for a chunk
    no longer appended to: compressed, one frame unless its frames are
    already large (then raw runs are compressed, the rest kept as is, so
    that a point is not compressed twice)."""
    if sealed(data):
        return bytes(data)
    frames = list(_frames(data, verify=()))
    if len(frames) * _SEALED_MEAN_POINTS > sum(f[1] for f in frames):
        return encode(decode(data))
    return compact(data)


def sealed(data):
    """Whether :func:`seal` would leave ``data`` as it is."""
    frames = list(_frames(data, verify=()))
    return all(f[0] == PCO for f in frames) and (
        len(frames) <= 1
        or len(frames) * _SEALED_MEAN_POINTS <= sum(f[1] for f in frames))


def _records(parts):
    return np.frombuffer(b"".join(parts), dtype=RECORD)


def _frame(codec, n, t, v):
    header = _HEADER.pack(_MAGIC, codec, 0, n, len(t), len(v), 0)
    crc = _crc(header[:_CHECKED], t, v)
    return header[:_CHECKED] + crc.to_bytes(4, "little") + t + v


def _crc(*parts):
    crc = 0
    for part in parts:
        crc = zlib.crc32(part, crc)
    return crc


def _frames(data, verify=(RAW, PCO)):
    """Yield ``(codec, count, timestamp part, value part, whole frame)``
    per frame, checking the CRC of frames whose codec is in ``verify``."""
    view, at = memoryview(data), 0
    while at < len(view):
        if len(view) - at < _HEADER.size:
            raise CorruptData(f"truncated frame header at byte {at}")
        magic, codec, _, n, tlen, vlen, crc = _HEADER.unpack_from(view, at)
        start, end = at + _HEADER.size, at + _HEADER.size + tlen + vlen
        if magic != _MAGIC or codec not in (RAW, PCO) or end > len(view):
            raise CorruptData(f"no valid frame at byte {at}")
        t, v = view[start:start + tlen], view[start + tlen:end]
        if codec == RAW and (tlen != n * RECORD.itemsize or vlen):
            raise CorruptData(f"raw frame at byte {at} has a wrong length")
        if codec in verify and _crc(view[at:at + _CHECKED], t, v) != crc:
            raise CorruptData(f"checksum mismatch in the frame at byte {at}")
        yield codec, n, t, v, view[at:end]
        at = end


def _decompress(data, dtype, n):
    try:
        array = pcodec.standalone.simple_decompress(bytes(data))
    except (RuntimeError, ValueError) as exc:
        raise CorruptData(f"pcodec: {exc}") from exc
    if array.dtype != dtype or len(array) != n:
        raise CorruptData("frame column does not match its header")
    return array
