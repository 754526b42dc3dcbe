"""holt-winters against Prometheus' loop, holt-winters-seasonal against
statsmodels' ExponentialSmoothing."""
import numpy as np
import pytest
from hypothesis import given, strategies as st
from statsmodels.tsa.holtwinters import ExponentialSmoothing, Holt

from statsvc.statistics import ParameterError
from tests.unit.statistics import reference
from tests.unit.statistics.test_properties import SETTINGS, scale, series
from tests.unit.statistics.test_ranges import ANY_WINDOW, as_reference

FACTORS = st.floats(0.01, 0.99)


@SETTINGS
@given(data=series(), window=ANY_WINDOW, min_points=st.integers(2, 5),
       sf=FACTORS, tf=FACTORS)
def test_holt_winters_is_prometheus(plugin, data, window, min_points, sf,
                                    tf):
    timestamps, values = data
    query = {"window": window, "sf": sf, "tf": tf}
    if isinstance(window, int):
        query["window"] = window = max(window, 2)
        min_points = 2
    else:
        query["min_points"] = min_points
    out = plugin("holt-winters").run(timestamps, values, **query)
    expected = reference.over_windows(reference.holt_winters(sf, tf),
                                      timestamps, values,
                                      as_reference(window), min_points)
    # The same operations in the same order: equal but for the compiler's
    # contractions (none at -O3 without -march), so within an ulp or so.
    assert out.timestamps.tolist() == expected[0]
    assert out.values == pytest.approx(expected[1], rel=1e-12,
                                       abs=1e-12 * scale(values))


def test_holt_winters_is_statsmodels_holt_from_the_first_two_points():
    # PromQL's loop is Holt's linear method from level x0 and trend x1 - x0.
    rng = np.random.default_rng(7)
    y = np.cumsum(rng.standard_normal(200)) + 50
    out = plugin_run("holt-winters", y, window=len(y), sf=0.3, tf=0.2)
    holt = Holt(y[1:], initialization_method="known", initial_level=y[0],
                initial_trend=y[1] - y[0]).fit(
        smoothing_level=0.3, smoothing_trend=0.2, optimized=False)
    assert out.values[-1] == pytest.approx(holt.level[-1], rel=1e-12)


def plugin_run(name, values, **query):
    from tests.unit.statistics.conftest import PLUGINS
    from statsvc.statistics import check_plugin
    plugin = check_plugin(PLUGINS[name].load()())
    return plugin.run(np.arange(len(values)) * 10 ** 9, values, **query)


@pytest.mark.parametrize("factor", ["sf", "tf"])
@pytest.mark.parametrize("value", ["0", "1", "1.5", "-0.1", "x"])
def test_holt_winters_factors_are_strictly_between_0_and_1(plugin, factor,
                                                            value):
    query = {"window": "3", "sf": "0.5", "tf": "0.5", factor: value}
    with pytest.raises(ParameterError) as e:
        plugin("holt-winters").run([1, 2, 3], [1.0, 2.0, 3.0], **query)
    assert e.value.parameter == factor


@st.composite
def seasonal_series(draw):
    """A trend, a season of ``m`` points and noise: what the forecast is
    for, with the factors to fit it with."""
    m = draw(st.integers(2, 12))
    n = draw(st.integers(max(2 * m, 10 + 2 * (m // 2)), 120))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    shape = rng.normal(0, draw(st.floats(0, 50)), m)
    y = (draw(st.floats(-1e3, 1e3)) + draw(st.floats(-5, 5)) * np.arange(n)
         + np.resize(shape, n) + rng.normal(0, draw(st.floats(0, 10)), n))
    return m, y


def statsmodels_fit(m, y, alpha, beta, gamma):
    # A perfect fit has a log(0) information criterion: not what we check.
    with np.errstate(divide="ignore"):
        return ExponentialSmoothing(
            y, trend="add", seasonal="add", seasonal_periods=m,
            initialization_method="heuristic").fit(
            smoothing_level=alpha, smoothing_trend=beta,
            smoothing_seasonal=gamma, optimized=False)


@SETTINGS
@given(case=seasonal_series(), alpha=st.floats(0, 1), beta=st.floats(0, 1),
       gamma=st.floats(0, 1), seasons=st.integers(1, 3))
def test_seasonal_forecast_is_statsmodels(case, alpha, beta, gamma,
                                          seasons):
    m, y = case
    horizon = seasons * m
    out = plugin_run("holt-winters-seasonal", y, season=m, horizon=horizon,
                     alpha=alpha, beta=beta, gamma=gamma)
    fitted = statsmodels_fit(m, y, alpha, beta, gamma)
    h = np.arange(1, horizon + 1)
    # Hyndman's l + h b + s[n + h - m (k + 1)], from statsmodels' states.
    want = (fitted.level[-1] + h * fitted.trend[-1]
            + fitted.season[len(y) - m + (h - 1) % m])
    tolerance = 1e-9 * (np.max(np.abs(y)) + 1)
    assert out.values == pytest.approx(want, rel=1e-9, abs=tolerance)
    # statsmodels' own forecast agrees except at whole seasons ahead,
    # where it uses the seasonal component of a season earlier
    # (statsmodels issue 9538, fixed after 0.15.0).
    other = h % m != 0
    assert out.values[other] == pytest.approx(
        fitted.forecast(horizon)[other], rel=1e-9, abs=tolerance)
    step = 10 ** 9
    assert out.timestamps.tolist() == ((len(y) - 1 + h) * step).tolist()


def test_seasonal_fit_of_factors_not_given_tracks_the_season():
    # 1 season = 24 points, a clean daily shape: the grid finds factors
    # whose forecast follows it closely.
    n, m = 24 * 20, 24
    t = np.arange(n + m)
    y = 100 + 0.05 * t + 10 * np.sin(2 * np.pi * t / m)
    out = plugin_run("holt-winters-seasonal", y[:n], season=m, horizon=m)
    assert out.values == pytest.approx(y[n:], abs=0.05)
    # A given factor is kept, the others fitted: a different forecast.
    fixed = plugin_run("holt-winters-seasonal", y[:n], season=m, horizon=m,
                       alpha=0.01)
    assert not np.array_equal(fixed.values, out.values)


def test_seasonal_needs_two_seasons_and_ten_adjusted_points(plugin):
    seasonal = plugin("holt-winters-seasonal")
    assert len(seasonal.run(range(13), [1.0] * 13, season=4,
                            horizon=2).values) == 0
    assert len(seasonal.run(range(14), [1.0] * 14, season=4,
                            horizon=2).values) == 2


@pytest.mark.parametrize("query, where", [
    ({"horizon": "3"}, "season"),
    ({"season": "1", "horizon": "3"}, "season"),
    ({"season": "4"}, "horizon"),
    ({"season": "4", "horizon": "0"}, "horizon"),
    ({"season": "4", "horizon": "3", "gamma": "1.01"}, "gamma"),
])
def test_seasonal_bad_parameters(plugin, query, where):
    with pytest.raises(ParameterError) as e:
        plugin("holt-winters-seasonal").run([1], [1.0], **query)
    assert e.value.parameter == where


def test_seasonal_fit_is_refused_past_the_work_bound_not_with_factors(
        plugin):
    # 600,000 points: the grid's 1,729 runs would visit 1e9 points.
    n = 600_000
    stamps = np.arange(n) * 10 ** 9
    values = np.sin(np.arange(n) * 2 * np.pi / 24)
    seasonal = plugin("holt-winters-seasonal")
    with pytest.raises(ParameterError) as e:
        seasonal.run(stamps, values, season=24, horizon=1)
    assert e.value.parameter == "alpha"
    assert "give them" in e.value.message
    # Given factors (inside the model's stability region: 0.5, 0.1, 0.3
    # diverges to 1e41 over these points, statsmodels' fit as well).
    out = seasonal.run(stamps, values, season=24, horizon=1, alpha=0.3,
                       beta=0.05, gamma=0.2)
    assert out.values[0] == pytest.approx(0.0, abs=1e-9)
