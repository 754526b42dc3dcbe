"""``POST /v1/search/metric``: points of metrics whose values match a query."""
import base64

import pytest


def _user(name):
    token = base64.b64encode(f"{name}:".encode()).decode()
    return {"Authorization": f"Basic {token}"}


ADMIN, ALICE, BOB = _user("admin"), _user("alice"), _user("bob")
POLICY = {"name": "two", "definition": [
    {"granularity": 1, "timespan": 3600}, {"granularity": 2, "timespan": 3600}]}


@pytest.fixture
def metric(app):
    """A metric of policy ``two`` (1 s and 2 s), with points 10..15 at
    14:00:00..05, owned by alice."""
    app.post_json("/v1/archive_policy", POLICY, headers=ADMIN)
    metric_id = app.post_json("/v1/metric", {"archive_policy_name": "two"},
                              headers=ALICE).json["id"]
    app.post_json(f"/v1/metric/{metric_id}/measures", [
        {"timestamp": f"2024-01-01T14:00:0{i}", "value": 10 + i}
        for i in range(6)], headers=ALICE)
    return metric_id


def search(app, metric_ids, query, status=200, headers=ALICE, **params):
    pairs = [("metric_id", m) for m in metric_ids]
    for name, value in params.items():
        pairs += [(name, v) for v in (value if isinstance(value, list)
                                      else [value])]
    url = "/v1/search/metric?" + "&".join(f"{k}={v}" for k, v in pairs)
    return app.post_json(url, query, headers=headers, status=status).json


def test_matching_points_of_every_granularity_coarsest_first(app, metric):
    found = search(app, [metric], {"and": [{">=": [{"+": 3}, 15]},
                                           {"!=": 14}]})
    assert found == {metric: [
        ["2024-01-01T14:00:02+00:00", 2.0, 12.5],
        ["2024-01-01T14:00:04+00:00", 2.0, 14.5],
        ["2024-01-01T14:00:02+00:00", 1.0, 12.0],
        ["2024-01-01T14:00:03+00:00", 1.0, 13.0],
        ["2024-01-01T14:00:05+00:00", 1.0, 15.0]]}


def test_granularity_aggregation_and_time_bounds(app, metric):
    found = search(app, [metric], {"or": [{"=": 10}, {"≥": 15}]},
                   granularity="1s", start="2024-01-01T14:00:01",
                   stop="2024-01-01T14:00:06")
    assert found == {metric: [["2024-01-01T14:00:05+00:00", 1.0, 15.0]]}
    found = search(app, [metric], {"not": [{"<": 15}]}, granularity="2 s",
                   aggregation="max")
    assert found == {metric: [["2024-01-01T14:00:04+00:00", 2.0, 15.0]]}


def test_missing_and_foreign_metrics_are_left_out(app, metric):
    other = "00000000-0000-4000-8000-000000000000"
    assert search(app, [metric, other], {">": 0}, headers=BOB) == {}
    assert list(search(app, [metric, other], {">": 0})) == [metric]


def test_an_archive_the_policy_lacks_is_gnocchis_400(app, metric):
    body = search(app, [metric], {"=": 12}, status=400,
                  granularity=["1s", "300"])
    assert body["description"]["cause"] == "Aggregation does not exist"
    assert body["description"]["detail"]["granularity"] == 300
    assert body["description"]["detail"]["aggregation_method"] == "mean"


@pytest.mark.parametrize("query, where", [
    ({"===": 1}, []),
    ({"and": [{"=": 1}, {"+": [1, 2, 3]}]}, ["and", "1", "+"]),
    ({"or": {"=": 1}}, ["or"]),
    ({"not": [{"=": 1}, {"=": 2}]}, ["not"]),
    ({"=": "12"}, ["="]),
    ({"=": 1, "<": 2}, []),
    (12, []),
])
def test_a_bad_query_is_400_naming_the_node(app, metric, query, where):
    body = search(app, [metric], query, status=400)
    assert body["description"]["cause"] == "Invalid input"
    assert body["description"]["detail"] == where


@pytest.mark.parametrize("params, parameter", [
    ({"start": "foobar"}, "start"), ({"stop": "foobar"}, "stop"),
    ({"granularity": "soon"}, "granularity"), ({"limit": "2"}, "limit")])
def test_bad_parameters_are_400_naming_them(app, metric, params, parameter):
    body = search(app, [metric], {"=": 12}, status=400, **params)
    assert parameter in str(body["description"])


def test_metric_ids_are_required_and_must_be_uuids(app, metric):
    assert "metric_id" in str(search(app, [], {"=": 1}, status=400))
    assert "UUID" in str(search(app, ["nope"], {"=": 1}, status=400))
    app.post(f"/v1/search/metric?metric_id={metric}", headers=ALICE,
             status=400)


def test_a_metric_without_policy_searches_its_raw_points(make_app):
    app = make_app(api={"metrics_without_policy": "true"})
    metric_id = app.post_json("/v1/metric", {"name": "raw"}).json["id"]
    app.post_json(f"/v1/metric/{metric_id}/measures", [
        {"timestamp": 60 * i, "value": i} for i in range(4)])
    assert search(app, [metric_id], {">": 1}, headers={}) == {metric_id: [
        ["1970-01-01T00:02:00+00:00", None, 2.0],
        ["1970-01-01T00:03:00+00:00", None, 3.0]]}
    assert search(app, [metric_id], {">": 1}, headers={}, granularity=120,
                  aggregation="sum") == {metric_id: [
                      ["1970-01-01T00:02:00+00:00", 120.0, 5.0]]}
