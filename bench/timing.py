"""Timing shared by the statistics benchmarks."""
import time

import numpy as np


def medians_ms(functions, repeat):
    """Median time of each function in ms, run in turns so that load from
    other processes hits all of them alike."""
    times = [[] for _ in functions]
    for _ in range(repeat):
        for function, spent in zip(functions, times):
            began = time.perf_counter()
            function()
            spent.append(time.perf_counter() - began)
    return [float(np.median(spent)) * 1e3 for spent in times]
