"""The smoothing, forecasting and robust statistics through the API."""
import math

import pytest

from statsvc_plugins.holt_winters import HoltWinters
from statsvc_plugins.holt_winters_seasonal import HoltWintersSeasonal
from statsvc_plugins.mad_outliers import MadOutliers
from statsvc_plugins.stl import StlResidual

START = 1704067200
# Four days of hourly points: a trend, a daily shape and one spike.
VALUES = [100 + 0.1 * i + 10 * math.sin(2 * math.pi * i / 24)
          + (50 if i == 60 else 0) for i in range(96)]
STAMPS = [(START + 3600 * i) * 10 ** 9 for i in range(96)]

CASES = {
    "holt-winters": (HoltWinters, {"window": "6h", "sf": "0.5",
                                   "tf": "0.2"}),
    "holt-winters-seasonal": (HoltWintersSeasonal, {
        "season": "24", "horizon": "12", "alpha": "0.3", "beta": "0.05",
        "gamma": "0.2"}),
    "mad-outliers": (MadOutliers, {"window": "24", "threshold": "3"}),
    "stl-residual": (StlResidual, {"period": "24"}),
}


@pytest.fixture
def hourly(app, metric):
    app.post_json(f"/v1/metric/{metric}/measures", [
        {"timestamp": START + 3600 * i, "value": v}
        for i, v in enumerate(VALUES)], status=202)
    return metric


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_get_gives_what_the_plugin_computes(app, hourly, name):
    cls, query = CASES[name]
    got = app.get(f"/v1/metric/{hourly}/measures", {"stat": name, **query})
    want = cls().run(STAMPS, VALUES, **query)
    assert len(got.json) == len(want.values) > 0
    assert [v for *_, v in got.json] == pytest.approx(want.values.tolist(),
                                                      rel=1e-12, abs=1e-12)
    assert got.json[-1][0] == _iso(want.timestamps[-1] // 10 ** 9)


def test_the_spike_is_flagged_and_the_forecast_is_stamped_ahead(app,
                                                                hourly):
    flags = app.get(f"/v1/metric/{hourly}/measures",
                    {"stat": "mad-outliers", **CASES["mad-outliers"][1]}).json
    assert [t for t, _, v in flags if v == 1.0] == [_iso(START + 3600 * 60)]
    forecast = app.get(f"/v1/metric/{hourly}/measures", {
        "stat": "holt-winters-seasonal",
        **CASES["holt-winters-seasonal"][1]}).json
    assert forecast[0][0] == _iso(START + 3600 * 96)


@pytest.mark.parametrize("name, query, parameter", [
    ("holt-winters", {"window": "6h", "sf": "1", "tf": "0.2"}, "sf"),
    ("holt-winters", {"window": "6h", "sf": "0.5"}, "tf"),
    ("holt-winters-seasonal", {"season": "24", "horizon": "0"}, "horizon"),
    ("holt-winters-seasonal", {"season": "24", "horizon": "2",
                               "alpha": "2"}, "alpha"),
    ("mad-outliers", {"window": "12", "threshold": "-1"}, "threshold"),
    ("mad-outliers", {"window": "12", "center": "true"}, "center"),
    ("stl-residual", {"period": "24", "seasonal": "6"}, "seasonal"),
    ("stl-residual", {}, "period"),
])
def test_bad_parameters_are_a_400_naming_them(app, hourly, name, query,
                                              parameter):
    resp = app.get(f"/v1/metric/{hourly}/measures", {"stat": name, **query},
                   status=400)
    assert resp.json["parameter"] == parameter
    assert parameter in resp.json["description"]


def test_capabilities_say_what_each_returns_its_gaps_and_unit(app):
    details = app.get("/v1/capabilities").json["statistics_details"]
    for name in CASES:
        for field in ("description", "unit", "gaps"):
            assert details[name][field], (name, field)
    assert details["mad-outliers"]["unit"] == "none (1 or 0)"
    assert "fitted if absent" in details["holt-winters-seasonal"][
        "parameters"]["alpha"]["help"]


def _iso(seconds):
    import datetime
    return datetime.datetime.fromtimestamp(
        seconds, datetime.timezone.utc).isoformat()
