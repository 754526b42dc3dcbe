"""The measures JSON: statsvc's splice against rows built in Python.

For series of 10**3 to 10**6 points (1 Hz, values of a metric, one NaN in
ten), the median time of ``statsvc.api.serialize.measures`` (orjson formats
the timestamp and value arrays, ``_triples.splice`` merges them), of the
encoder it replaced (orjson's timestamps decoded back to ``str`` and zipped
with ``values.tolist()`` into tuples for orjson) and of the standard
library's ``json`` on the same tuples, run in turns in one process; the
bytes of the first two are checked equal.

Usage: python bench/serialize.py [--repeat 15]
"""
import argparse
import itertools
import json
import time

import numpy as np
import orjson

from statsvc.api import serialize

_NUMPY_UTC = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NAIVE_UTC


def _rows(ts_ns, values, granularity):
    iso = orjson.loads(orjson.dumps(ts_ns.view("datetime64[ns]"),
                                    option=_NUMPY_UTC))
    return list(zip(iso, itertools.repeat(granularity), values.tolist()))


def tuples_orjson(ts_ns, values, granularity=None):
    """The encoder before the splice (statsvc until 2026-12-01)."""
    return orjson.dumps(_rows(ts_ns, values, granularity))


def tuples_json(ts_ns, values, granularity=None):
    """The same rows through the standard library (NaN as null)."""
    rows = [(t, g, None if v != v else v)
            for t, g, v in _rows(ts_ns, values, granularity)]
    return json.dumps(rows, separators=(",", ":")).encode()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    print(f"# numpy {np.__version__}, orjson {orjson.__version__}, "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"{'points':>9} {'splice ms':>10} {'tuples ms':>10} {'json ms':>9}"
          f" {'splice/tuples':>14} {'splice/json':>12}")
    encoders = [serialize.measures, tuples_orjson, tuples_json]
    for n in (10 ** 3, 10 ** 4, 10 ** 5, 10 ** 6):
        ts = 1_700_000_000 * 10 ** 9 + np.arange(n, dtype=np.int64) * 10 ** 9
        values = np.random.default_rng(n).standard_normal(n) * 10 + 1e4
        values[::10] = np.nan
        assert serialize.measures(ts, values, 1.0) == tuples_orjson(
            ts, values, 1.0)
        times = [[] for _ in encoders]
        repeat = args.repeat if n < 10 ** 6 else max(3, args.repeat // 3)
        for _ in range(repeat):
            for encode, spent in zip(encoders, times):
                began = time.perf_counter()
                encode(ts, values, 1.0)
                spent.append(time.perf_counter() - began)
        splice, tuples, stdlib = (float(np.median(t)) * 1e3 for t in times)
        print(f"{n:>9} {splice:10.2f} {tuples:10.2f} {stdlib:9.2f}"
              f" {splice / tuples:14.3f} {splice / stdlib:12.3f}", flush=True)


if __name__ == "__main__":
    main()
