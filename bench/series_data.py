"""Real-looking series for the storage benchmarks.

* ``cpu``: 10 s interval, values with one decimal, a slow mean-reverting
  random walk between 0 and 100, as a CPU percentage;
* ``noise``: 1 s interval, float64 white noise (incompressible values);
* ``irregular``: the cpu values at timestamps jittered by up to +-0.5 s,
  with microsecond resolution.
"""
import numpy as np

from statsvc.storage import series

START = 1_700_000_000 * 10**9
KINDS = ("cpu", "noise", "irregular")


def make_series(kind, n, seed=0):
    """The records of one bench series (see the module docstring)."""
    rng = np.random.default_rng(seed)
    records = np.empty(n, dtype=series.RECORD)
    step = 10 * 10**9 if kind != "noise" else 10**9
    records["t"] = START + np.arange(n, dtype=np.int64) * step
    if kind == "noise":
        records["v"] = rng.normal(size=n)
        return records
    # Mean-reverting walk (Ornstein-Uhlenbeck): stays within 0-100.
    steps, walk, x = rng.normal(0, 0.5, n), np.empty(n), 30.0
    for i, step in enumerate(steps.tolist()):
        x += 0.01 * (30.0 - x) + step
        walk[i] = x
    records["v"] = np.round(np.clip(walk, 0, 100), 1)
    if kind == "irregular":
        jitter = rng.integers(-500_000, 500_000, n) * 1000
        records["t"] += jitter
    return records
