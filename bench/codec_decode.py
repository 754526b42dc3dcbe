"""Time statsvc.storage.codec.decode on 10**6 points, as stored.

The series of ``series_data.py`` cut into day chunks (8,640 points at 10 s,
86,400 at 1 s), each one compressed frame as a sealed chunk holds, all
concatenated as a read of the whole series decodes them; best of 20.

Usage: python bench/codec_decode.py [--points 1000000]
"""
import argparse
import time

from series_data import make_series
from statsvc.storage import codec

DAY = 86_400 * 10**9


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=10**6)
    args = parser.parse_args()
    for kind in ("cpu", "noise"):
        records = make_series(kind, args.points)
        day = records["t"] // DAY
        cuts = [0, *((day[1:] != day[:-1]).nonzero()[0] + 1), len(records)]
        data = b"".join(codec.encode(records[a:b])
                        for a, b in zip(cuts, cuts[1:]))
        best = float("inf")
        for _ in range(20):
            began = time.perf_counter()
            codec.decode(data)
            best = min(best, time.perf_counter() - began)
        print(f"{kind}: {len(cuts) - 1} frames, {len(data) / len(records):.2f}"
              f" B/pt, decode {1000 * best:.1f} ms"
              f" ({len(records) / best / 1e6:.0f} M points/s)")


if __name__ == "__main__":
    main()
