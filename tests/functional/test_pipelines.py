"""Pipelines of statistics: ``stat=a(param=value,...),b(...)``."""
import pytest

from tests.functional.test_plugin_faults import (  # noqa: F401  (fixture)
    faulty_app, stat)
from statsvc_plugins.differences import Delta
from statsvc_plugins.moving_average import MovingAverage
from statsvc_plugins.zscore import ZScore

VALUES = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0]


@pytest.fixture
def series_metric(app):
    metric = app.post_json("/v1/metric", {}).json["id"]
    app.post_json(f"/v1/metric/{metric}/measures", [
        {"timestamp": 60 * i, "value": v} for i, v in enumerate(VALUES)],
        status=202)
    return metric


def measures(app, metric, status=200, **query):
    return app.get(f"/v1/metric/{metric}/measures", query, status=status)


def test_each_step_runs_on_the_previous_ones_result(app, series_metric):
    got = measures(app, series_metric,
                   stat="moving-average(window=3),zscore(window=4),delta").json
    stamps = [60 * 10 ** 9 * i for i in range(len(VALUES))]
    smooth = MovingAverage().run(stamps, VALUES, window=3)
    scores = ZScore().run(*smooth, window=4)
    want = Delta().run(*scores)
    assert len(got) == len(want.values) == 4
    assert [v for _, _, v in got] == pytest.approx(want.values.tolist(),
                                                   rel=1e-12)
    assert got[0][0] == "1970-01-01T00:06:00+00:00"


def test_one_step_takes_its_parameters_either_way(app, series_metric):
    inside = measures(app, series_metric, stat="percentile(window=4, q=90)")
    outside = measures(app, series_metric, stat="percentile", window="4",
                       q="90")
    assert inside.json == outside.json != []


def test_the_same_statistic_twice_keeps_its_parameters_apart(app,
                                                             series_metric):
    twice = measures(app, series_metric,
                     stat="moving-sum(window=2),moving-sum(window=3)").json
    once = measures(app, series_metric, stat="moving-sum(window=4)").json
    # A sum of 3 pairwise sums counts the middle points twice: not window 4.
    assert len(twice) == len(VALUES) - 3 == len(once)
    assert [v for *_, v in twice] != [v for *_, v in once]


@pytest.mark.parametrize("stat, query, where, step", [
    ("moving-average(window=3),zscore", {}, "window", 2),
    ("moving-average(window=3),zscore(window=1)", {}, "window", 2),
    ("moving-average(window=3),nope", {}, "stat", 2),
    ("moving-average(windows=3),delta", {}, "windows", 1),
    ("moving-average,delta", {"window": "3"}, "stat", None),
    ("moving-average(window=3)", {"window": "3"}, "stat", None),
    ("moving-average(window=3", {}, "stat", None),
    ("moving-average(window=3),,delta", {}, "stat", None),
    ("moving-average(window),delta", {}, "stat", 1),
    ("moving-average(window=3,window=4)", {}, "window", 1),
])
def test_bad_pipelines_are_400_naming_the_step(app, series_metric, stat,
                                               query, where, step):
    resp = measures(app, series_metric, status=400, stat=stat, **query)
    assert resp.json["parameter"] == where
    assert resp.json.get("step") == step


def test_the_length_is_bounded_by_the_configuration(make_app):
    app = make_app(api={"max_pipeline_steps": "2"})
    metric = app.post_json("/v1/metric", {}).json["id"]
    measures(app, metric, stat="delta,delta")
    resp = measures(app, metric, status=400, stat="delta,delta,delta")
    assert "more than 2 steps" in resp.json["description"]


def test_every_step_is_validated_before_any_runs(faulty_app):  # noqa: F811
    # faulty-compute raises when run: a bad later step is found first.
    resp = stat(faulty_app, "faulty-compute,zscore(window=1)", 400)
    assert resp.json["step"] == 2
    resp = stat(faulty_app, "faulty-fine,faulty-compute", 500)
    assert resp.json["statistic"] == "faulty-compute"
    # The service carries on.
    assert len(stat(faulty_app, "faulty-fine,faulty-fine", 200).json) == 4
