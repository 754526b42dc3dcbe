"""Prometheus remote_write bodies: snappy (block format) around a
``WriteRequest`` protobuf, decoded with maintained codecs (cramjam,
protobuf; ``remote_write_pb2`` is generated from ``remote_write.proto``)."""
import cramjam
from google.protobuf.message import DecodeError

from statsvc.ingest import remote_write_pb2


class MalformedBody(ValueError):
    """The body is not a snappy-compressed ``WriteRequest``; Prometheus
    drops such a batch instead of retrying it."""


def decode(body, max_size):
    """Yield ``(labels dict, timestamps ms, values)`` for each series of a
    remote_write body.

    :raises MalformedBody: if it is not snappy, not a ``WriteRequest``, or
        would decompress past ``max_size`` bytes (checked before
        decompressing, from the length snappy puts first).
    """
    try:
        size = cramjam.snappy.decompress_raw_len(body)
    except cramjam.DecompressionError as e:
        raise MalformedBody(f"not snappy-compressed: {e}") from None
    if size > max_size:
        raise MalformedBody(f"decompresses to {size} bytes, over the limit "
                            f"of {max_size}")
    try:
        raw = bytes(cramjam.snappy.decompress_raw(body))
    except cramjam.DecompressionError as e:
        raise MalformedBody(f"not snappy-compressed: {e}") from None
    request = remote_write_pb2.WriteRequest()
    try:
        request.ParseFromString(raw)
    except DecodeError as e:
        raise MalformedBody(f"not a remote_write WriteRequest: {e}") from None
    for series in request.timeseries:
        yield ({label.name: label.value for label in series.labels},
               [sample.timestamp for sample in series.samples],
               [sample.value for sample in series.samples])
