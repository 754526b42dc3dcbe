"""Gnocchi's older /v1/aggregation through the real app: values checked
against numpy over the points pushed, and its errors. (Gnocchi's own gabbi
files for it run in tests/integration/test_gnocchi_gabbits.py.)"""
import urllib.parse
import uuid

import numpy as np
import pytest

from tests.functional.test_aggregates import user

MINUTE = 60
T0 = 1_700_000_040  # a whole minute


@pytest.fixture
def policy(app):
    app.post_json("/v1/archive_policy", {
        "name": "pair", "aggregation_methods": ["mean", "max", "min"],
        "definition": [{"granularity": "1 second"},
                       {"granularity": "1 minute"}]})
    return "pair"


RNG = np.random.default_rng(11)


def points(n=30, offset=0.0):
    times = T0 + np.sort(RNG.choice(np.arange(0, 300), n, replace=False))
    return [(int(t), round(float(v), 3))
            for t, v in zip(times, RNG.normal(offset, 3, n))]


def push(app, metric, pts, headers=None):
    app.post_json(f"/v1/metric/{metric}/measures",
                  [{"timestamp": t, "value": v} for t, v in pts],
                  headers=headers)


def new_metric(app, policy, pts, headers=None, **attributes):
    metric = app.post_json("/v1/metric", {"archive_policy_name": policy,
                                          **attributes},
                           headers=headers).json["id"]
    push(app, metric, pts, headers)
    return metric


def minute(pts, method):
    """``{minute: method of its values}``."""
    by = {}
    for t, v in pts:
        by.setdefault(t - t % MINUTE, []).append(v)
    return {b: getattr(np, method)(vs) for b, vs in by.items()}


def get(app, status=200, headers=None, **query):
    query = urllib.parse.urlencode(query, doseq=True)
    return app.get(f"/v1/aggregation/metric?{query}", status=status,
                   headers=headers).json


def stamp(seconds):
    return np.datetime64(int(seconds), "s").astype(str) + "+00:00"


def test_metrics_are_reaggregated_where_they_overlap(app, policy):
    first, second = points(), points(offset=10)
    ids = [new_metric(app, policy, first), new_metric(app, policy, second)]
    got = get(app, metric=ids, granularity=60, reaggregation="max")
    a, b = minute(first, "mean"), minute(second, "mean")
    common = sorted(set(a) & set(b))
    assert [row[0] for row in got] == [stamp(m) for m in common]
    assert all(row[1] == 60.0 for row in got)
    np.testing.assert_allclose([row[2] for row in got],
                               [max(a[m], b[m]) for m in common], rtol=1e-12)
    # POST of the ids answers the same.
    posted = app.post_json("/v1/aggregation/metric?granularity=60"
                           "&reaggregation=max", ids).json
    assert posted == got


def test_every_shared_granularity_coarsest_first_and_fill(app, policy):
    first = [(T0, 1.0), (T0 + 1, 3.0)]
    second = [(T0, 5.0), (T0 + 2, 7.0)]
    ids = [new_metric(app, policy, first), new_metric(app, policy, second)]
    # Without fill only the times both have, as Gnocchi (needed_overlap 100).
    assert get(app, metric=ids) == [
        [stamp(T0), 60.0, 4.0], [stamp(T0), 1.0, 3.0]]
    assert get(app, metric=ids, granularity=1, fill=0) == [
        [stamp(T0), 1.0, 3.0], [stamp(T0 + 1), 1.0, 1.5],
        [stamp(T0 + 2), 1.0, 3.5]]
    assert get(app, metric=ids, granularity=1, fill="null") == [
        [stamp(T0), 1.0, 3.0], [stamp(T0 + 1), 1.0, 3.0],
        [stamp(T0 + 2), 1.0, 7.0]]


def test_one_metric_is_answered_as_stored_resampled_if_asked(app, policy):
    pts = points()
    metric = new_metric(app, policy, pts)
    got = get(app, metric=metric, granularity=1, resample=60,
              aggregation="max", reaggregation="min")
    want = minute(pts, "max")
    assert got == [[stamp(m), 60.0, want[m]] for m in sorted(want)]


def test_resources_by_search_and_groupby(app, policy):
    project = {}
    for name, offset in (("a", 0.0), ("b", 100.0), ("c", 200.0)):
        project[name] = str(uuid.uuid4())
        app.post_json("/v1/resource/generic", {
            "id": name, "project_id": "p1" if name != "c" else "p2",
            "metrics": {"cpu": {"archive_policy_name": policy}}})
        pts = [(T0, offset), (T0 + 1, offset + 1)]
        app.post_json(f"/v1/resource/generic/{name}/metric/cpu/measures",
                      [{"timestamp": t, "value": v} for t, v in pts])
    url = "/v1/aggregation/resource/generic/metric/cpu?granularity=1"
    assert app.post_json(url, {"=": {"project_id": "p1"}}).json == [
        [stamp(T0), 1.0, 50.0], [stamp(T0 + 1), 1.0, 51.0]]
    groups = app.post(url + "&groupby=project_id&filter="
                      + urllib.parse.quote("project_id!='none'")).json
    assert groups == [
        {"group": {"project_id": "p1"},
         "measures": [[stamp(T0), 1.0, 50.0], [stamp(T0 + 1), 1.0, 51.0]]},
        {"group": {"project_id": "p2"},
         "measures": [[stamp(T0), 1.0, 200.0], [stamp(T0 + 1), 1.0, 201.0]]}]
    # A name no resource has: nothing, as in Gnocchi.
    assert app.post("/v1/aggregation/resource/generic/metric/disk").json == []


def test_bad_requests_are_4xx_naming_what(app, policy):
    ids = [new_metric(app, policy, points()), new_metric(app, policy,
                                                          points())]
    for query, where in (({"metric": "nope"}, "metric"),
                         ({}, "metric"),
                         ({"metric": ids, "granularity": "soon"},
                          "granularity"),
                         ({"metric": ids, "fill": "asdf"}, "fill"),
                         ({"metric": ids, "resample": 60}, "resample"),
                         ({"metric": ids, "refresh": "maybe"}, "refresh"),
                         ({"metric": ids, "bogus": 1}, "bogus")):
        body = get(app, status=400, **query)
        assert where in str(body), (query, body)
    body = get(app, status=400, metric=ids, granularity=1, reaggregation="x")
    assert body["code"] == 400
    missing = str(uuid.uuid4())
    assert get(app, status=404, metric=[ids[0], missing])["description"] \
        == f"Metric {missing} does not exist"
    assert "Aggregation method 'mean' at granularity '42.0'" in get(
        app, status=404, metric=ids, granularity=42)["description"]
    assert "Aggregation method 'p99'" in get(
        app, status=404, metric=ids, aggregation="p99")["description"]
    app.get("/v1/aggregation/resource/generic/metric/cpu", status=405)
    app.post("/v1/aggregation/resource/generic/metric", status=405)
    app.post("/v1/aggregation/nothing/generic/metric/cpu", status=404)
    app.post("/v1/aggregation/resource/nope/metric/cpu", status=404)
    app.post("/v1/aggregation/resource/generic/metric/cpu?groupby=nope",
             status=400)


def test_someone_elses_metric_is_missing(app, policy):
    theirs = new_metric(app, policy, points(), headers=user("bob"))
    mine = new_metric(app, policy, points(), headers=user("alice"))
    body = get(app, status=404, headers=user("alice"), metric=[mine, theirs])
    assert body["description"] == f"Metric {theirs} does not exist"
