"""Exponentially weighted moving average."""
import math

import numpy as np

from statsvc.statistics import Parameter, ParameterError, Series, Statistic, clean

#: Chunks of the recurrence decay by e**-_DECAY, so that the growing
#: weights ``beta**-k`` inside a chunk stay below e**200 ~ 7e86: values up to
#: ~1e220 in magnitude cannot overflow.
_DECAY = 200.0

#: 1 - beta**t is 1.0 in double precision once beta**t < 2**-60.
_SETTLED = 60 * math.log(2)


class Ewma(Statistic):
    """Exponentially weighted moving average, "adjusted" weighting.

    With ``beta = 1 - alpha``, the result at point ``t`` is
    ``sum(beta**i * x[t - i]) / sum(beta**i)`` over ``i = 0..t`` — the
    default of ``pandas.Series.ewm(...).mean()``.  Exactly one of
    ``alpha``, ``span`` (``alpha = 2 / (span + 1)``) and ``halflife`` (in
    points: ``alpha = 1 - 0.5 ** (1 / halflife)``) is given.  Gaps are
    dropped first, so weights count valid points; the output has one point
    per valid input point.
    """

    description = ("Exponentially weighted moving average (adjusted "
                   "weights); give exactly one of alpha, span, halflife.")
    unit = "the values' unit"
    gaps = "dropped first: weights count valid points; no result at a gap"
    parameters = (
        Parameter("alpha", float, default=None, min=1e-9, max=1.0,
                  help="smoothing factor, in [1e-9, 1]"),
        Parameter("span", float, default=None, min=1.0, max=1e9,
                  help="span in points: alpha = 2 / (span + 1)"),
        Parameter("halflife", float, default=None, min=1e-9, max=1e9,
                  help="half-life in points: alpha = 1 - 0.5 ** (1 / halflife)"),
    )

    def check_parameters(self, params):
        given = [name for name in ("alpha", "span", "halflife")
                 if params[name] is not None]
        if not given:
            raise ParameterError("alpha", "give one of alpha, span, halflife")
        if len(given) > 1:
            raise ParameterError(given[1], f"give only one of alpha, span,"
                                           f" halflife (not with {given[0]})")
        return params

    def compute(self, data, alpha=None, span=None, halflife=None):
        data = clean(data)
        if span is not None:
            alpha = 2.0 / (span + 1.0)
        elif halflife is not None:
            alpha = -math.expm1(math.log(0.5) / halflife)
        return Series(data.timestamps, ewma(data.values, alpha))


def ewma(values, alpha):
    """Adjusted EWMA of a gap-free array, in O(n) vectorised passes.

    The numerator ``S[t] = x[t] + beta * S[t-1]`` is a linear recurrence.
    Within a chunk of ``c`` points it is ``beta**k * cumsum(x * beta**-k)``
    (one ``cumsum``); ``c`` is chosen so that ``beta**-k`` stays finite and
    the carry from the previous chunk, multiplied by ``beta**(k+1)``, is
    added before scaling.  The carry over a whole chunk, a factor
    ``beta**c <= e**-200``, is below double precision and dropped.  The
    denominator has the closed form ``(1 - beta**(t+1)) / (1 - beta)``.
    """
    n = len(values)
    beta = 1.0 - alpha
    if beta == 0.0 or n == 0:
        return values.copy()
    log_beta = math.log(beta)
    size = int(min(n, max(1, _DECAY // -log_beta)))
    chunks = -(-n // size)
    buf = np.empty(chunks * size)
    buf[:n] = values
    buf[n:] = 0.0
    table = buf.reshape(chunks, size)
    k = np.arange(size) * log_beta
    table *= np.exp(-k)
    np.cumsum(table, axis=1, out=table)
    decay = np.exp(k)
    if chunks > 1:
        carry = table[:-1, -1] * (decay[-1] * beta)
        table[1:] += carry[:, np.newaxis]
    table *= decay * (1.0 - beta)
    out = buf[:n]
    unsettled = min(n, math.ceil(_SETTLED / -log_beta))
    out[:unsettled] /= -np.expm1(np.arange(1, unsettled + 1) * log_beta)
    return out
