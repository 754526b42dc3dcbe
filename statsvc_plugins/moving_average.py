"""Moving average (placeholder until the statistics library lands)."""
import numpy as np

from statsvc.statistics import Parameter, Series, Statistic


class MovingAverage(Statistic):
    """Mean over a sliding window of ``window`` points."""

    description = "Mean over a sliding window of points."
    parameters = (Parameter("window", int, min=1, help="window length in points"),)

    def compute(self, data, window):
        if len(data.values) < window:
            return Series(data.timestamps[:0], data.values[:0])
        c = np.cumsum(np.concatenate(([0.0], data.values)))
        return Series(data.timestamps[window - 1:], (c[window:] - c[:-window]) / window)
