"""Fast serialisation of series to Gnocchi's ``[[timestamp, granularity, value]]``."""
import itertools

import orjson

_NUMPY_UTC = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NAIVE_UTC


def measures(ts_ns, values, granularity=None):
    """Encode a series as JSON bytes of ``[iso_timestamp, granularity, value]``.

    orjson formats the whole datetime64 array in C (about 6x faster than
    numpy's ``datetime_as_string``), printing each timestamp as Python's
    ``isoformat`` does: ``+00:00`` offset, microseconds only when non-zero.
    NaN values become null. bench/http.py measures the alternatives.
    """
    iso = orjson.loads(orjson.dumps(ts_ns.view("datetime64[ns]"),
                                    option=_NUMPY_UTC))
    return orjson.dumps(list(zip(iso, itertools.repeat(granularity),
                                 values.tolist())))


def measures_groups(groups):
    """Encode ``[(granularity, ts_ns, values)]`` as one JSON list of
    triples, group after group (Gnocchi's shape for several granularities)."""
    if len(groups) == 1:
        granularity, ts, values = groups[0]
        return measures(ts, values, granularity)
    parts = [measures(ts, values, g)[1:-1] for g, ts, values in groups
             if len(ts)]
    return b"[" + b",".join(parts) + b"]"
