"""Moving z-score, a simple anomaly score."""
from statsvc_plugins._window import (
    MomentStatistic, min_points_parameter, window_parameter)


class ZScore(MomentStatistic):
    """How many standard deviations each point is from its window's mean.

    For point ``x`` and ``W`` the ``window`` valid points ending at ``x``
    (``x`` included): ``(x - mean(W)) / std(W)``, ``std`` the sample
    standard deviation (ddof=1).  A constant window scores 0: the point is
    exactly as expected, and JSON has no NaN.  Gaps are dropped first; one
    score per full window, stamped with ``x``'s timestamp.  Scores are
    bounded by ``(window - 1) / sqrt(window)`` in absolute value.  With
    a duration ``window``, ``W`` is the valid points in ``(t - window,
    t]``, from 2 points (or ``min_points``) on.
    """

    description = ("Deviation of each point from the mean of the window "
                   "ending at it, in sample standard deviations.")
    parameters = (window_parameter(min=2), min_points_parameter(min=2))
    moment = "zscore"
    unit = "sample standard deviations (no unit)"
