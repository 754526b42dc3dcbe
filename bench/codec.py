"""Candidate codecs for stored series: bytes per point and speed.

Each candidate encodes a ``series.RECORD`` array (int64 ns, float64) and
decodes it back, checked bit for bit. Printed per series: bytes per point,
encode and decode in millions of points per second (best of ``--repeat``).

Series: those of ``series_data.py``, ``--points`` each (10**6 by default).

Usage: python -P bench/codec.py [--points 1000000] [--repeat 5]
(``-P``: blosc2 imports the stdlib's http, which bench/http.py would shadow)
"""
import argparse
import os
import sys
import time

import blosc2
import lz4.frame
import numpy as np
import pcodec
import zstandard

from statsvc.storage import series

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from series_data import make_series  # noqa: E402


def _split(records):
    return (np.ascontiguousarray(records["t"]),
            np.ascontiguousarray(records["v"]))


def _join(t, v):
    out = np.empty(len(t), dtype=series.RECORD)
    out["t"], out["v"] = t, v
    return out


def _dod(t):
    """Delta of delta of timestamps (first two kept), wrapping int64."""
    out = np.diff(t, n=1, prepend=np.int64(0))
    out[1:] = np.diff(out)
    return out


def _undod(d):
    return np.cumsum(np.cumsum(d))


def raw():
    return (lambda r: r.tobytes(),
            lambda b: np.frombuffer(b, dtype=series.RECORD))


def zstd_plain(level=3):
    c = zstandard.ZstdCompressor(level=level)
    d = zstandard.ZstdDecompressor()
    return (lambda r: c.compress(r.tobytes()),
            lambda b: np.frombuffer(d.decompress(b), dtype=series.RECORD))


def zstd_dod_xor(level=3):
    """Delta-of-delta timestamps, XOR of successive values, column-wise,
    byte-transposed, then zstd."""
    c = zstandard.ZstdCompressor(level=level)
    d = zstandard.ZstdDecompressor()

    def enc(r):
        t, v = _split(r)
        bits = v.view(np.uint64)
        x = bits.copy()
        x[1:] ^= bits[:-1]
        cols = np.concatenate([_dod(t).view(np.uint8).reshape(-1, 8).T,
                               x.view(np.uint8).reshape(-1, 8).T])
        return c.compress(np.ascontiguousarray(cols).tobytes())

    def dec(b):
        cols = np.frombuffer(d.decompress(b), dtype=np.uint8).reshape(16, -1)
        t = _undod(np.ascontiguousarray(cols[:8].T).view(np.int64).ravel())
        x = np.ascontiguousarray(cols[8:].T).view(np.uint64).ravel()
        return _join(t, np.bitwise_xor.accumulate(x).view(np.float64))
    return enc, dec


def lz4_dod_xor():
    enc_z, dec_z = zstd_dod_xor()
    # Same transform as zstd_dod_xor, lz4 instead of zstd.
    d = zstandard.ZstdDecompressor()
    c = zstandard.ZstdCompressor(level=-1)

    def enc(r):
        return lz4.frame.compress(d.decompress(enc_z(r)))

    def dec(b):
        return dec_z(c.compress(lz4.frame.decompress(b)))
    return enc, dec


def blosc(filters, codec=blosc2.Codec.ZSTD, clevel=5):
    """Blosc2 on the two columns, timestamps delta-of-delta'd first."""
    cparams = {"codec": codec, "clevel": clevel, "filters": filters,
               "typesize": 8}

    def enc(r):
        t, v = _split(r)
        return blosc2.compress2(np.concatenate([_dod(t), v.view(np.int64)]),
                                **cparams)

    def dec(b):
        both = np.frombuffer(blosc2.decompress2(b), dtype=np.int64)
        half = len(both) // 2
        return _join(_undod(both[:half]), both[half:].view(np.float64))
    return enc, dec


def pco(level=8):
    """pcodec: delta order and float mode (e.g. multiples of 0.1) are
    detected per column."""
    config = pcodec.ChunkConfig(compression_level=level)
    sizes = np.dtype("<u4")

    def enc(r):
        t, v = _split(r)
        bt = pcodec.standalone.simple_compress(t, config)
        bv = pcodec.standalone.simple_compress(v, config)
        return np.array([len(bt)], sizes).tobytes() + bt + bv

    def dec(b):
        n = int(np.frombuffer(b, sizes, 1)[0])
        t = pcodec.standalone.simple_decompress(b[4:4 + n])
        v = pcodec.standalone.simple_decompress(b[4 + n:])
        return _join(t, v)
    return enc, dec


CANDIDATES = {
    "raw records": raw,
    "zstd-3 records": zstd_plain,
    "dod+xor, byte columns, zstd-3": zstd_dod_xor,
    "dod+xor, byte columns, lz4": lz4_dod_xor,
    "blosc2 dod, bitshuffle+zstd-5": lambda: blosc(
        [blosc2.Filter.BITSHUFFLE]),
    "blosc2 dod, shuffle+bytedelta+zstd-5": lambda: blosc(
        [blosc2.Filter.SHUFFLE, blosc2.Filter.BYTEDELTA]),
    "blosc2 dod, delta+bitshuffle+zstd-5": lambda: blosc(
        [blosc2.Filter.DELTA, blosc2.Filter.BITSHUFFLE]),
    "blosc2 dod, bitshuffle+lz4": lambda: blosc(
        [blosc2.Filter.BITSHUFFLE], codec=blosc2.Codec.LZ4),
    "pcodec level 8": pco,
    "pcodec level 4": lambda: pco(4),
}


def _best(function, repeat):
    best = float("inf")
    for _ in range(repeat):
        began = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - began)
    return best, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=10**6)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"| series | candidate | B/pt | encode Mpt/s | decode Mpt/s |")
    print("| --- | --- | ---: | ---: | ---: |")
    for kind in ("cpu", "noise", "irregular"):
        records = make_series(kind, args.points)
        for name, make in CANDIDATES.items():
            encode, decode = make()
            seconds_enc, data = _best(lambda: encode(records), args.repeat)
            seconds_dec, back = _best(lambda: decode(data), args.repeat)
            assert back.tobytes() == records.tobytes(), name
            n = args.points / 1e6
            print(f"| {kind} | {name} | {len(data) / args.points:.3f} |"
                  f" {n / seconds_enc:.1f} | {n / seconds_dec:.1f} |")


if __name__ == "__main__":
    main()
