"""The smoothing, forecasting and robust statistics through the API."""
import datetime
import json
import math
import subprocess
import sys

import numpy as np
import pytest

from statsvc_plugins.holt_winters import HoltWinters
from statsvc_plugins.holt_winters_seasonal import HoltWintersSeasonal
from statsvc_plugins.mad_outliers import MadOutliers
from statsvc_plugins.resample_fill import ResampleFill
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


def test_a_series_with_gaps_is_resampled_before_the_seasonal_forecast(
        app, metric):
    # Hour 30 missing: resample-fill puts it back, so that a season stays
    # 24 points.
    points = [{"timestamp": START + 3600 * i, "value": v}
              for i, v in enumerate(VALUES) if i != 30]
    app.post_json(f"/v1/metric/{metric}/measures", points, status=202)
    seasonal = {"season": "24", "horizon": "3", "alpha": "0.3",
                "beta": "0.05", "gamma": "0.2"}
    stat = ("resample-fill(step=1h,method=linear),holt-winters-seasonal("
            + ",".join(f"{k}={v}" for k, v in seasonal.items()) + ")")
    got = app.get(f"/v1/metric/{metric}/measures", {"stat": stat}).json
    keep = [i for i in range(96) if i != 30]
    filled = ResampleFill().run(np.take(STAMPS, keep), np.take(VALUES, keep),
                                step="1h", method="linear")
    want = HoltWintersSeasonal().run(*filled, **seasonal)
    assert [v for *_, v in got] == pytest.approx(want.values.tolist(),
                                                 rel=1e-12)
    assert got[0][0] == _iso(START + 3600 * 96)


# statsmodels' metadata present but the package not importable (a broken
# install; a missing one makes stl-residual unavailable instead, as the
# integration test of a fresh install checks): the plugin fails to load,
# the others run.
WITHOUT_STATSMODELS = """
import importlib.abc, json, sys, webtest
from statsvc import config
from statsvc.api.app import setup_app

class Absent(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "statsmodels":
            raise ModuleNotFoundError(f"No module named {name!r}")

sys.meta_path.insert(0, Absent())
app = webtest.TestApp(setup_app(config.load(overrides={"storage": {
    "driver": "sqlite", "data_dir": sys.argv[1]}})))
metric = app.post_json("/v1/metric", {}).json["id"]
app.post_json(f"/v1/metric/{metric}/measures", [
    {"timestamp": 60 * i, "value": i % 7} for i in range(50)])
out = {}
for name, query in [("stl", {"stat": "stl-residual", "period": "7"}),
                    ("zscore", {"stat": "zscore", "window": "5"})]:
    resp = app.get(f"/v1/metric/{metric}/measures", query, status="*")
    out[name] = [resp.status_int, resp.json]
out["status"] = app.get("/v1/status").json["statistics"]
print(json.dumps(out))
"""


def test_without_statsmodels_stl_residual_says_so_and_the_rest_runs(
        tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_STATSMODELS, str(tmp_path)],
        capture_output=True, text=True, check=True)
    out = json.loads(done.stdout.splitlines()[-1])
    status, body = out["stl"]
    assert status == 500
    assert "pip install 'statsvc[stl]'" in body["description"]
    assert out["zscore"][0] == 200 and len(out["zscore"][1]) == 46
    assert list(out["status"]["failed"]) == ["stl-residual"]


def _iso(seconds):
    return datetime.datetime.fromtimestamp(
        seconds, datetime.timezone.utc).isoformat()
