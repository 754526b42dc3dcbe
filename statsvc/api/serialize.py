"""Fast serialisation of series to Gnocchi's ``[[timestamp, granularity, value]]``."""
import itertools

import orjson

from statsvc.api import timestamps


def measures(ts_ns, values, granularity=None):
    """Encode a series as JSON bytes of ``[iso_timestamp, granularity, value]``.

    Timestamps are formatted in bulk by numpy and the triples encoded by
    orjson from tuples (no per-point Python formatting); NaN becomes null.
    """
    return orjson.dumps(list(zip(timestamps.format_iso(ts_ns),
                                 itertools.repeat(granularity),
                                 values.tolist())))
