"""Residual of an STL decomposition, by statsmodels' STL.

statsmodels is an optional extra (``pip install 'statsvc[stl]'``): STL is
two nested LOESS loops whose defaults are worth taking from the reference
port rather than re-deriving.  The entry point names the extra, so without
it the service never imports this module: it lists the plugin under
``unavailable`` in ``/v1/status`` and answers its queries with a 501 that
says what to install.  If statsmodels is recorded as installed but cannot
be imported, this module fails to import with a message that says so.  statsmodels itself is imported on first use, not
when the service starts.
"""
import numpy as np

from statsvc.statistics import (
    Parameter, ParameterError, Series, Statistic, clean)

try:
    import statsmodels  # noqa: F401  (0.3 ms: its subpackages load lazily)
except ImportError:
    raise ImportError("stl-residual needs statsmodels: install it with"
                      " pip install 'statsvc[stl]'") from None

#: Longest period in points: STL's LOESS windows grow with it.
MAX_PERIOD = 10 ** 5
#: Most points decomposed in one query: statsmodels' STL takes about
#: 0.1 s per 10**5 points (10 times that when robust).
MAX_POINTS = 10 ** 6


class StlResidual(Statistic):
    """What is left of each point once STL's trend and seasonal
    components are taken out (``statsmodels.tsa.seasonal.STL(values,
    period=period, seasonal=seasonal, robust=robust).fit().resid``).

    Gaps are dropped first, so a period counts valid points: resample a
    series with gaps first.  Fewer than two periods of points give no
    result (STL needs them).
    """

    description = ("Residual of the STL (seasonal-trend LOESS) "
                   "decomposition of the series, one per point.")
    unit = "the values' unit"
    gaps = ("dropped first: a period counts valid points (resample first); "
            "no result for fewer than 2 periods of points")
    parameters = (
        Parameter("period", int, min=2, max=MAX_PERIOD,
                  help="season length in points"),
        Parameter("seasonal", int, default=7, min=3, max=MAX_PERIOD,
                  help="seasonal smoother's length in periods, odd"
                       " (statsmodels' default 7)"),
        Parameter("robust", bool, default=False,
                  help="downweight outliers (LOESS robustness iterations)"),
    )

    def check_parameters(self, params):
        if params["seasonal"] % 2 == 0:
            raise ParameterError("seasonal", "must be odd")
        return params

    def compute(self, data, period, seasonal=7, robust=False):
        from statsmodels.tsa.seasonal import STL

        data = clean(data)
        if len(data.values) < 2 * period:
            return Series(data.timestamps[:0], data.values[:0])
        if len(data.values) > MAX_POINTS:
            raise ParameterError("period", f"STL of {len(data.values)}"
                                           f" points, more than"
                                           f" {MAX_POINTS}: read a shorter"
                                           f" range or resample")
        result = STL(data.values, period=period, seasonal=seasonal,
                     robust=robust).fit()
        return Series(data.timestamps, np.asarray(result.resid, np.float64))
